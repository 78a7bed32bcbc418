//! Which key of `~/.ocarina-tokens` each Ocarina command reads: data, copied from
//! Ocarina's `ENDPOINTS` table (`ocarina/client.py`) and `emit` (`ocarina/util.py`) at
//! Ocarina 0.36.1. Ocarina looks a token up under the command's own scope
//! string, joined exactly as written there, not under the profile's; a command whose
//! endpoint names no scope (every `get`, summaries, tags) uses [`READ_SCOPE`].
//!
//! When Ocarina gains or changes a command, update this table and that version.

/// The key of every command whose endpoint names no scope of its own.
pub(crate) const READ_SCOPE: &str = "majora2.temp_can_read_pags_via_api";

/// One key Ocarina reads, and the commands that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    pub commands: &'static str,
    /// The scope string, space-joined in Ocarina's order: the key itself.
    pub scope: &'static str,
}

pub(crate) const KEYS: &[Key] = &[
    Key {
        commands: "put biosample",
        scope: "majora2.add_biosampleartifact majora2.change_biosampleartifact majora2.add_biosamplesource majora2.change_biosamplesource majora2.add_biosourcesamplingprocess majora2.change_biosourcesamplingprocess",
    },
    Key {
        commands: "update biosample",
        scope: "majora2.change_biosampleartifact majora2.change_biosamplesource majora2.change_biosourcesamplingprocess",
    },
    Key {
        commands: "empty biosample (addempty)",
        scope: "majora2.force_add_biosampleartifact majora2.add_biosampleartifact majora2.change_biosampleartifact majora2.add_biosourcesamplingprocess majora2.change_biosourcesamplingprocess",
    },
    Key {
        commands: "put library",
        scope: "majora2.add_biosampleartifact majora2.change_biosampleartifact majora2.add_libraryartifact majora2.change_libraryartifact majora2.add_librarypoolingprocess majora2.change_librarypoolingprocess",
    },
    Key {
        commands: "put sequencing",
        scope: "majora2.change_libraryartifact majora2.add_dnasequencingprocess majora2.change_dnasequencingprocess",
    },
    Key { commands: "put file", scope: "majora2.add_digitalresourceartifact majora2.change_digitalresourceartifact" },
    Key {
        commands: "put metric",
        scope: "majora2.add_temporarymajoraartifactmetric majora2.change_temporarymajoraartifactmetric",
    },
    Key { commands: "put qc", scope: "majora2.add_pagqualityreport majora2.change_pagqualityreport" },
    Key {
        commands: "put accession",
        scope: "majora2.add_temporaryaccessionrecord majora2.change_temporaryaccessionrecord",
    },
    Key { commands: "get dataview (v3 data views)", scope: "majora2.can_read_dataview_via_api" },
    Key { commands: "get, summaries, tags and every other command", scope: READ_SCOPE },
];

/// The keys a token with `granted` scopes can serve: every key whose scopes it holds
/// (Majora accepts a token whose scopes are a superset of the endpoint's), in table
/// order.
pub(crate) fn covered<'a>(granted: &'a [String]) -> impl Iterator<Item = &'static Key> + 'a {
    KEYS.iter().filter(move |key| key.scope.split(' ').all(|s| granted.iter().any(|g| g == s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_upload_set_covers_the_upload_commands_and_not_the_others() {
        let upload = crate::preset::majora_task_scopes(&["upload"]).unwrap();
        let names: Vec<&str> = covered(&upload).map(|k| k.commands).collect();
        assert_eq!(names, ["put biosample", "update biosample", "put library", "put sequencing", "put file"]);
        let mut with_read = upload.clone();
        with_read.push(READ_SCOPE.into());
        assert!(covered(&with_read).any(|k| k.scope == READ_SCOPE));
        assert_eq!(covered(&scopes("majora2.add_digitalresourceartifact")).count(), 0, "half a key is no key");
    }

    #[test]
    fn every_task_scope_is_read_by_some_command() {
        for task in crate::preset::MAJORA_TASKS {
            for scope in task.scopes {
                assert!(KEYS.iter().any(|k| k.scope.split(' ').any(|s| s == *scope)), "{scope}");
            }
        }
    }
}
