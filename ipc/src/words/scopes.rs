//! What a token may do, in a person's words: Majora's tasks ("upload samples, …"), the
//! OpenID scopes explained, and the server's own names only where nothing better is
//! known. The scope names themselves go under Details.

use latchkey_engine::PresetKind;
use latchkey_engine::{explain_majora_scope, MAJORA_TASKS};

/// One scope in words, or an empty string when Latchkey knows nothing of it.
pub fn explain(scope: &str) -> String {
    explain_majora_scope(scope).unwrap_or_else(|| {
        match scope {
            "openid" => "Sign in with OpenID Connect",
            "profile" => "Your name",
            "email" => "Your email address",
            "offline_access" => "Stay signed in (refresh tokens)",
            _ => "",
        }
        .into()
    })
}

/// "May upload samples, libraries, sequencing runs and files; read samples and results."
/// For Majora, the tasks the scopes cover whole (what the person chose), then a count of
/// any other permissions; elsewhere the scopes explained, unknown ones by name.
pub fn may_do(preset: PresetKind, scopes: &[String]) -> Option<String> {
    if scopes.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    let mut covered: Vec<&str> = Vec::new();
    if preset.is_majora() {
        for task in MAJORA_TASKS {
            if task.scopes.iter().all(|s| scopes.iter().any(|g| g == s)) {
                // The label without its "(ocarina …)" part, as a phrase in a sentence.
                let label = task.label.split(" (").next().unwrap_or(task.label);
                parts.push(lower_first(label));
                covered.extend(task.scopes.iter().copied());
            }
        }
        let others = scopes.iter().filter(|s| !covered.contains(&s.as_str())).count();
        match (parts.is_empty(), others) {
            (_, 0) => {}
            (true, n) => parts.push(format!("{n} Majora permission{}", if n == 1 { "" } else { "s" })),
            (false, n) => parts.push(format!("{n} other permission{}", if n == 1 { "" } else { "s" })),
        }
    } else {
        for scope in scopes {
            let words = match scope.as_str() {
                "openid" => "say who you are".to_string(),
                "offline_access" => "stay signed in".to_string(),
                "profile" => "see your name".to_string(),
                "email" => "see your email address".to_string(),
                other => other.to_string(),
            };
            parts.push(words);
        }
    }
    Some(format!("May {}.", parts.join("; ")))
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn majora_scopes_read_as_the_tasks_they_make_up() {
        let upload = MAJORA_TASKS.iter().find(|t| t.id == "upload").unwrap();
        let mut scopes = owned(upload.scopes);
        assert_eq!(
            may_do(PresetKind::Majora, &scopes).unwrap(),
            "May upload samples, libraries, sequencing runs and files."
        );
        scopes.push("majora2.temp_can_read_pags_via_api".into());
        scopes.push("majora2.can_read_dataview_via_api".into());
        let said = may_do(PresetKind::Majora, &scopes).unwrap();
        assert!(said.contains("; read samples and results"), "{said}");
        assert!(said.contains("dataview") || said.contains("views"), "{said}");
        assert!(!said.contains("majora2."), "{said}");
        assert_eq!(may_do(PresetKind::Majora, &owned(&["majora2.add_x"])).unwrap(), "May 1 Majora permission.");
    }

    #[test]
    fn openid_scopes_are_explained_and_unknown_ones_named() {
        assert_eq!(
            may_do(PresetKind::Generic, &owned(&["openid", "offline_access", "api"])).unwrap(),
            "May say who you are; stay signed in; api."
        );
        assert_eq!(may_do(PresetKind::Generic, &[]), None);
    }
}
