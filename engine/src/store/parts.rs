//! Secrets longer than one keyring item holds, kept in several (Windows).
//!
//! Why: Windows Credential Manager holds at most 2,560 bytes per credential, and the
//! keyring crate stores text as UTF-16, so about 1,280 characters; a token set with a
//! Keycloak or Agate JWT access token, a refresh token and an ID token is often longer.
//! The Secret Service and the Keychain have no such limit, so there the layout is one item,
//! as before (no migration).
//!
//! Layout: a value that fits stays in the item itself. A longer one is cut into parts,
//! stored as items `USER#a0`, `USER#a1`, … (slot `a`) or `USER#b0`, … (slot `b`), and the
//! item itself becomes a head, `latchkey-parts:1 a3`: the slot in force and its count.
//!
//! Why two slots: a crash at any moment must leave either the old value or the new one.
//! A write fills the slot *not* in force, then replaces the head in one keyring call (the
//! moment the new value takes over), and only then clears the old slot. Killed before
//! the head is written, the old head still names the old, untouched parts; after, the new
//! head names complete new parts. Parts are written from the first and cleared from the
//! last, so whatever a crash leaves in a slot is a run from `#0` on, which the next write
//! finds and clears: nothing outlives two writes, not even after a crash.

const HEAD: &str = "latchkey-parts:1 ";

/// The item-level keyring operations a layout is built on (one keyring entry each).
pub(crate) trait Items {
    type Error;
    fn get(&self, user: &str) -> Result<Option<String>, Self::Error>;
    fn set(&self, user: &str, value: &str) -> Result<(), Self::Error>;
    /// Deleting an item that is not there is fine.
    fn delete(&self, user: &str) -> Result<(), Self::Error>;
    /// The error for a head whose parts are not all there.
    fn incomplete(&self, what: String) -> Self::Error;
}

/// Where a value lives: in the head itself, or in `count` parts of `slot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head {
    Inline,
    Parts { slot: char, count: usize },
}

fn parse_head(text: &str) -> Head {
    let parse = || {
        let rest = text.strip_prefix(HEAD)?;
        let slot = rest.chars().next().filter(|c| *c == 'a' || *c == 'b')?;
        Some(Head::Parts { slot, count: rest[1..].parse().ok()? })
    };
    parse().unwrap_or(Head::Inline)
}

fn flip(slot: char) -> char {
    if slot == 'a' {
        'b'
    } else {
        'a'
    }
}

fn part(user: &str, slot: char, index: usize) -> String {
    format!("{user}#{slot}{index}")
}

/// Cut `value` into pieces of at most `max` UTF-16 units (never inside a character).
fn cut(value: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut units) = (0, 0);
    for (at, c) in value.char_indices() {
        if units + c.len_utf16() > max {
            pieces.push(&value[start..at]);
            (start, units) = (at, 0);
        }
        units += c.len_utf16();
    }
    pieces.push(&value[start..]);
    pieces
}

/// Read the value stored under `user`. A read that races a write of another process
/// (the head names a slot whose parts that write has just cleared) reads the head again
/// and follows it, once: a missing part is an error only when the head has not moved.
pub(crate) fn get<I: Items>(items: &I, user: &str) -> Result<Option<String>, I::Error> {
    let Some(mut head) = items.get(user)? else { return Ok(None) };
    let mut retried = false;
    loop {
        let (slot, count) = match parse_head(&head) {
            Head::Inline => return Ok(Some(head)),
            Head::Parts { slot, count } => (slot, count),
        };
        match read_parts(items, user, slot, count)? {
            Ok(value) => return Ok(Some(value)),
            Err(missing) => {
                let now = items.get(user)?;
                match now {
                    Some(moved) if moved != head && !retried => {
                        retried = true;
                        head = moved;
                    }
                    None => return Ok(None), // deleted meanwhile (signed out)
                    _ => {
                        return Err(items.incomplete(format!(
                        "part {missing} of {count} of a long keyring item is missing; sign in again to store it anew"
                    )))
                    }
                }
            }
        }
    }
}

/// The parts of `slot` joined, or the index of the first one missing.
fn read_parts<I: Items>(items: &I, user: &str, slot: char, count: usize) -> Result<Result<String, usize>, I::Error> {
    let mut value = String::new();
    for index in 0..count {
        match items.get(&part(user, slot, index))? {
            Some(piece) => value.push_str(&piece),
            None => return Ok(Err(index)),
        }
    }
    Ok(Ok(value))
}

/// Store `value` under `user`, in parts when it is longer than `max` UTF-16 units.
pub(crate) fn set<I: Items>(items: &I, user: &str, value: &str, max: usize) -> Result<(), I::Error> {
    if value.encode_utf16().count() <= max && !value.starts_with(HEAD) {
        items.set(user, value)?;
        sweep(items, user, 'a', 0)?;
        return sweep(items, user, 'b', 0);
    }
    let slot = match items.get(user)?.as_deref().map(parse_head) {
        Some(Head::Parts { slot, .. }) => flip(slot),
        _ => 'a',
    };
    let pieces = cut(value, max);
    for (index, piece) in pieces.iter().enumerate() {
        items.set(&part(user, slot, index), piece)?;
    }
    items.set(user, &format!("{HEAD}{slot}{}", pieces.len()))?;
    sweep(items, user, slot, pieces.len())?;
    sweep(items, user, flip(slot), 0)
}

/// Delete the value under `user`, its parts first (a crash in between leaves a head
/// whose parts are missing, reported as such, never a part without its head).
pub(crate) fn delete<I: Items>(items: &I, user: &str) -> Result<(), I::Error> {
    sweep(items, user, 'a', 0)?;
    sweep(items, user, 'b', 0)?;
    items.delete(user)
}

/// Clear the parts of `slot` from `start` on: find where the run ends, then delete from
/// the last, so an interrupted sweep still leaves a run the next one finds.
fn sweep<I: Items>(items: &I, user: &str, slot: char, start: usize) -> Result<(), I::Error> {
    let mut end = start;
    while items.get(&part(user, slot, end))?.is_some() {
        end += 1;
    }
    for index in (start..end).rev() {
        items.delete(&part(user, slot, index))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;

    use super::*;

    /// Items in memory that can be made to fail after a number of writes (a crash).
    #[derive(Default)]
    struct Memory {
        items: RefCell<BTreeMap<String, String>>,
        writes_left: Cell<Option<usize>>,
    }

    impl Memory {
        fn spend(&self) -> Result<(), String> {
            match self.writes_left.get() {
                Some(0) => Err("crashed".into()),
                Some(n) => {
                    self.writes_left.set(Some(n - 1));
                    Ok(())
                }
                None => Ok(()),
            }
        }
    }

    impl Items for Memory {
        type Error = String;
        fn get(&self, user: &str) -> Result<Option<String>, String> {
            Ok(self.items.borrow().get(user).cloned())
        }
        fn incomplete(&self, what: String) -> String {
            what
        }
        fn set(&self, user: &str, value: &str) -> Result<(), String> {
            self.spend()?;
            assert!(value.encode_utf16().count() <= MAX, "an item over the limit: {user}");
            self.items.borrow_mut().insert(user.into(), value.into());
            Ok(())
        }
        fn delete(&self, user: &str) -> Result<(), String> {
            self.spend()?;
            self.items.borrow_mut().remove(user);
            Ok(())
        }
    }

    const MAX: usize = 20;

    #[test]
    fn short_values_stay_one_item_and_long_ones_are_cut_within_the_limit() {
        let m = Memory::default();
        set(&m, "p/tokens", "short", MAX).unwrap();
        assert_eq!(m.items.borrow().len(), 1);
        let long = "x".repeat(75);
        set(&m, "p/tokens", &long, MAX).unwrap();
        assert_eq!(get(&m, "p/tokens").unwrap().as_deref(), Some(long.as_str()));
        assert_eq!(m.items.borrow().len(), 5, "{:?}", m.items.borrow());
        // Characters are never split, however many UTF-16 units they take.
        assert_eq!(cut("ab😀cd😀", 3), vec!["ab", "😀c", "d😀"]);
        // A value that looks like a head is never stored as one.
        set(&m, "p/tokens", "latchkey-parts:1 a2", MAX).unwrap();
        assert_eq!(get(&m, "p/tokens").unwrap().as_deref(), Some("latchkey-parts:1 a2"));
    }

    #[test]
    fn rewrites_alternate_slots_and_leave_nothing_behind() {
        let m = Memory::default();
        for len in [75, 22, 100, 5, 81, 3] {
            let value = "x".repeat(len);
            set(&m, "p/tokens", &value, MAX).unwrap();
            assert_eq!(get(&m, "p/tokens").unwrap(), Some(value));
            let expected = if len <= MAX { 1 } else { 1 + len.div_ceil(MAX) };
            assert_eq!(m.items.borrow().len(), expected, "after {len}: {:?}", m.items.borrow());
        }
        delete(&m, "p/tokens").unwrap();
        assert!(m.items.borrow().is_empty());
    }

    /// Issue 35, item 8: another process's write lands between this read's head and its
    /// parts (the old slot already cleared): the read follows the new head, never "sign
    /// in again".
    #[test]
    fn a_read_racing_a_write_follows_the_new_head() {
        /// Another process's write, run once.
        type Write<'a> = RefCell<Option<Box<dyn FnOnce(&Memory) + 'a>>>;
        /// Items where the first read of a part runs `between` first (another process).
        struct Racing<'a> {
            inner: &'a Memory,
            between: Write<'a>,
        }
        impl Items for Racing<'_> {
            type Error = String;
            fn get(&self, user: &str) -> Result<Option<String>, String> {
                if user.contains('#') {
                    if let Some(write) = self.between.borrow_mut().take() {
                        write(self.inner);
                    }
                }
                self.inner.get(user)
            }
            fn set(&self, user: &str, value: &str) -> Result<(), String> {
                self.inner.set(user, value)
            }
            fn delete(&self, user: &str) -> Result<(), String> {
                self.inner.delete(user)
            }
            fn incomplete(&self, what: String) -> String {
                what
            }
        }
        let m = Memory::default();
        set(&m, "p/tokens", &"o".repeat(46), MAX).unwrap();
        let new = "n".repeat(94);
        let racing =
            Racing { inner: &m, between: RefCell::new(Some(Box::new(|m| set(m, "p/tokens", &new, MAX).unwrap()))) };
        assert_eq!(get(&racing, "p/tokens").unwrap(), Some(new.clone()));
        // Signed out meanwhile: nothing, not an error.
        let racing = Racing { inner: &m, between: RefCell::new(Some(Box::new(|m| delete(m, "p/tokens").unwrap()))) };
        assert_eq!(get(&racing, "p/tokens").unwrap(), None);
        // A head whose parts are gone and which does not move is still an error.
        set(&m, "p/tokens", &new, MAX).unwrap();
        m.items.borrow_mut().retain(|k, _| !k.ends_with("1") || !k.contains('#'));
        assert!(get(&m, "p/tokens").unwrap_err().contains("part 1 of 5"));
    }

    #[test]
    fn a_crash_at_any_write_leaves_the_old_value_or_the_new_one() {
        let old = "o".repeat(46);
        let new = "n".repeat(94);
        for previous in [old.clone(), "tiny".to_string()] {
            for crash_after in 0..14 {
                let m = Memory::default();
                set(&m, "p/tokens", &previous, MAX).unwrap();
                m.writes_left.set(Some(crash_after));
                let _ = set(&m, "p/tokens", &new, MAX);
                m.writes_left.set(None);
                let seen = get(&m, "p/tokens").unwrap().unwrap();
                assert!(seen == previous || seen == new, "crash after {crash_after} writes: {seen:?}");
                // And the next write cleans up whatever the crash left.
                set(&m, "p/tokens", &"z".repeat(35), MAX).unwrap();
                assert_eq!(m.items.borrow().len(), 3, "crash after {crash_after}: {:?}", m.items.borrow());
                set(&m, "p/tokens", "tiny", MAX).unwrap();
                assert_eq!(m.items.borrow().len(), 1, "crash after {crash_after}: {:?}", m.items.borrow());
            }
        }
    }
}
