//! The tray icons, decoded once from the PNGs the app uses, in the ARGB32 pixmap form the
//! StatusNotifierItem protocol carries (so no icon theme has to be installed).

use std::sync::OnceLock;

pub fn normal() -> Vec<ksni::Icon> {
    static ICON: OnceLock<Vec<ksni::Icon>> = OnceLock::new();
    ICON.get_or_init(|| decode(include_bytes!("../../icons/tray.png"))).clone()
}

pub fn attention() -> Vec<ksni::Icon> {
    static ICON: OnceLock<Vec<ksni::Icon>> = OnceLock::new();
    ICON.get_or_init(|| decode(include_bytes!("../../icons/tray-attention.png"))).clone()
}

/// RGBA PNG → one ARGB32 (network byte order) icon; none if the PNG is not 8-bit RGBA.
fn decode(png_bytes: &[u8]) -> Vec<ksni::Icon> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let Ok(mut reader) = decoder.read_info() else { return vec![] };
    let Some(size) = reader.output_buffer_size() else { return vec![] };
    let mut rgba = vec![0; size];
    let Ok(info) = reader.next_frame(&mut rgba) else { return vec![] };
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return vec![];
    }
    let data = rgba[..info.buffer_size()].chunks_exact(4).flat_map(|p| [p[3], p[0], p[1], p[2]]).collect();
    vec![ksni::Icon { width: info.width as i32, height: info.height as i32, data }]
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_icons_decode_to_32_pixel_argb() {
        for icon in [super::normal(), super::attention()] {
            assert_eq!(icon.len(), 1);
            assert_eq!((icon[0].width, icon[0].height), (32, 32));
            assert_eq!(icon[0].data.len(), 32 * 32 * 4);
        }
        assert_ne!(super::normal()[0].data, super::attention()[0].data);
    }
}
