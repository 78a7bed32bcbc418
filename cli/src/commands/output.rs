//! Small shared pieces of CLI output.

/// "9 h 59 min" for a length of time in seconds.
pub fn span(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        s => format!("{} d", s / 86400),
    }
}

/// "in 9 h 59 min" / "3 min ago" for seconds from now.
pub fn relative(expires_in: i64) -> String {
    if expires_in >= 0 {
        format!("in {}", span(expires_in as u64))
    } else {
        format!("{} ago", span(expires_in.unsigned_abs()))
    }
}

/// Say (on stderr) which profiles of older settings have names a disk cannot keep apart
/// (`Lab` beside `lab`, `nul`): they keep working here; nothing is renamed.
pub fn warn_name_clashes(config: &latchkey_engine::Config) {
    for clash in config.name_clashes() {
        eprintln!("Warning: {clash}.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(relative(36000), "in 10 h 0 min");
        assert_eq!(relative(-180), "3 min ago");
        assert_eq!(span(35940), "9 h 59 min");
    }
}
