//! The tray icons, decoded once from the PNGs the app uses into 8-bit RGBA; each tray
//! draws them in its own form (linux.rs: ARGB32 pixmaps; native.rs: tray-icon's RGBA).

use std::sync::OnceLock;

type Rgba = (Vec<u8>, u32, u32);

/// The normal icon, or the one that asks for attention: pixels, width, height.
pub fn rgba(attention: bool) -> Rgba {
    static NORMAL: OnceLock<Rgba> = OnceLock::new();
    static ATTENTION: OnceLock<Rgba> = OnceLock::new();
    if attention {
        ATTENTION.get_or_init(|| decode(include_bytes!("../../icons/tray-attention.png"))).clone()
    } else {
        NORMAL.get_or_init(|| decode(include_bytes!("../../icons/tray.png"))).clone()
    }
}

/// RGBA PNG → pixels; empty if the PNG is not 8-bit RGBA.
fn decode(png_bytes: &[u8]) -> Rgba {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let Ok(mut reader) = decoder.read_info() else { return (vec![], 0, 0) };
    let Some(size) = reader.output_buffer_size() else { return (vec![], 0, 0) };
    let mut rgba = vec![0; size];
    let Ok(info) = reader.next_frame(&mut rgba) else { return (vec![], 0, 0) };
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return (vec![], 0, 0);
    }
    rgba.truncate(info.buffer_size());
    (rgba, info.width, info.height)
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_icons_decode_to_32_pixel_rgba() {
        let (normal, w, h) = super::rgba(false);
        assert_eq!((w, h, normal.len()), (32, 32, 32 * 32 * 4));
        let (attention, ..) = super::rgba(true);
        assert_eq!(attention.len(), 32 * 32 * 4);
        assert_ne!(normal, attention);
    }
}
