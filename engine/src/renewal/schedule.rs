//! When to renew each profile: a priority queue of due times, with no polling.
//!
//! Pure logic with an injected clock, so tests can jump time (sleep, clock changes)
//! and 10,000 profiles can be planned in a benchmark. The desktop app owns the loop
//! that sleeps until [`Schedule::next_due`] and hands due profiles to the engine's
//! rotation-safe [`crate::renewal::refresh::fresh_token`].
//!
//! Rules (docs/design.md, "Schedule"): refresh-token profiles renew at a fraction (75 %) of
//! the access token's lifetime, with a little jitter so many profiles don't renew in
//! one burst; Agate profiles re-exchange their code at expiry; a profile that cannot
//! renew silently becomes "needs sign-in" at expiry. Network and 5xx failures retry
//! with exponential backoff (capped); `invalid_grant` stops retries until the user acts.
//! An overdue profile (the machine slept) is due at once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::profile::Renewal;
use crate::store::{Status, TokenState};

/// The default point in a token's life at which it is renewed.
pub const DEFAULT_FRACTION: f64 = 0.75;
/// First retry after a passing failure, and the cap of the doubling.
pub(crate) const BACKOFF_START: u64 = 15;
pub(crate) const BACKOFF_CAP: u64 = 15 * 60;

/// The least time between a token and its scheduled renewal, in seconds.
pub(crate) const MIN_RENEW_GAP: u64 = 2;

/// What is due for a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Renew (refresh, or Agate re-exchange).
    Renew,
    /// The token runs out and nothing can renew it: tell the user.
    NeedsYou,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    due: u64,
    seq: u64,
    action: Action,
}

/// Settings of the schedule.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Renew at this fraction of the lifetime (0.5..=0.95).
    pub fraction: f64,
    /// Jitter as a fraction of the lifetime (± half of it).
    pub jitter: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Self { fraction: DEFAULT_FRACTION, jitter: 0.04 }
    }
}

/// Due times of all profiles. Replacing a profile's plan is O(log n); stale heap
/// entries are skipped when they surface (lazy deletion by sequence number).
#[derive(Debug, Default)]
pub struct Schedule {
    heap: BinaryHeap<Reverse<(u64, u64, u32)>>,
    entries: HashMap<u32, Entry>,
    names: Vec<String>,
    ids: HashMap<String, u32>,
    failures: HashMap<u32, u32>,
    seq: u64,
    policy: Policy,
}

impl Schedule {
    pub fn new(policy: Policy) -> Self {
        Self { policy, ..Self::default() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn id(&mut self, profile: &str) -> u32 {
        if let Some(id) = self.ids.get(profile) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(profile.to_string());
        self.ids.insert(profile.to_string(), id);
        id
    }

    /// Plan a profile from its stored state (after start, a store change, a renewal).
    /// Returns when it is next due, if ever.
    pub fn plan(&mut self, profile: &str, renewal: Renewal, state: &TokenState, now: u64) -> Option<(u64, Action)> {
        let id = self.id(profile);
        let next = match state.status {
            Status::SignedOut | Status::NeedsSignIn | Status::NeedsClient => None,
            Status::Failing => {
                let attempts = self.failures.get(&id).copied().unwrap_or(1);
                let wait = backoff(attempts);
                let from = state.last_error_at.unwrap_or(now);
                Some((from + wait, Action::Renew))
            }
            Status::SignedIn => {
                self.failures.remove(&id);
                match (state.obtained_at, state.expires_at, renewal) {
                    (_, None, _) => None,
                    (_, Some(expires), Renewal::SignIn) => Some((expires, Action::NeedsYou)),
                    (_, Some(expires), Renewal::ReexchangeCode) => Some((expires, Action::Renew)),
                    (Some(obtained), Some(expires), Renewal::RefreshToken) => {
                        let life = expires.saturating_sub(obtained) as f64;
                        let jitter = (jitter_unit(profile, obtained) - 0.5) * self.policy.jitter * life;
                        let at = obtained as f64 + life * self.policy.fraction + jitter;
                        Some(((at.max(obtained as f64)) as u64, Action::Renew))
                    }
                    (None, Some(expires), Renewal::RefreshToken) => Some((expires.saturating_sub(60), Action::Renew)),
                }
            }
        };
        // A server issuing tokens of a second or none (or a clock far off) must not make
        // the loop renew without pause: never sooner than this after the last token.
        let next = match (next, state.obtained_at) {
            (Some((due, Action::Renew)), Some(obtained)) if state.status == Status::SignedIn => {
                Some((due.max(obtained.saturating_add(MIN_RENEW_GAP)), Action::Renew))
            }
            (next, _) => next,
        };
        self.seq += 1;
        match next {
            Some((due, action)) => {
                self.entries.insert(id, Entry { due, seq: self.seq, action });
                self.heap.push(Reverse((due, self.seq, id)));
            }
            None => {
                self.entries.remove(&id);
            }
        }
        // Replans leave stale entries behind; rebuild before they outnumber live ones,
        // so memory stays proportional to the number of profiles.
        if self.heap.len() > 2 * self.entries.len() + 64 {
            self.heap = self.entries.iter().map(|(id, e)| Reverse((e.due, e.seq, *id))).collect();
        }
        next
    }

    /// Push a profile's next event to no earlier than `at` (a guard against busy loops
    /// when a due renewal found nothing to do).
    pub fn defer(&mut self, profile: &str, at: u64) {
        let id = self.id(profile);
        if let Some(entry) = self.entries.get(&id).copied() {
            if entry.due < at {
                self.seq += 1;
                self.entries.insert(id, Entry { due: at, seq: self.seq, action: entry.action });
                self.heap.push(Reverse((at, self.seq, id)));
            }
        }
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// A passing failure (network, 5xx): count it for the backoff.
    pub fn record_failure(&mut self, profile: &str) -> u32 {
        let id = self.id(profile);
        let n = self.failures.entry(id).or_insert(0);
        *n += 1;
        *n
    }

    /// Consecutive passing failures of a profile.
    pub fn failures(&self, profile: &str) -> u32 {
        self.ids.get(profile).and_then(|id| self.failures.get(id)).copied().unwrap_or(0)
    }

    /// Forget a profile (removed).
    pub fn remove(&mut self, profile: &str) {
        if let Some(id) = self.ids.get(profile) {
            self.entries.remove(id);
            self.failures.remove(id);
        }
    }

    /// The earliest due time, if any (what the loop sleeps until).
    pub fn next_due(&mut self) -> Option<u64> {
        while let Some(Reverse((due, seq, id))) = self.heap.peek().copied() {
            match self.entries.get(&id) {
                Some(e) if e.seq == seq => return Some(due),
                _ => {
                    self.heap.pop();
                }
            }
        }
        None
    }

    /// Take everything due at `now` (overdue included), earliest first.
    pub fn pop_due(&mut self, now: u64) -> Vec<(String, Action)> {
        let mut due = Vec::new();
        while let Some(at) = self.next_due() {
            if at > now {
                break;
            }
            let Reverse((_, _, id)) = self.heap.pop().expect("peeked");
            let entry = self.entries.remove(&id).expect("live entry");
            due.push((self.names[id as usize].clone(), entry.action));
        }
        due
    }

    /// When a profile is next due (for status lines).
    pub fn due_of(&self, profile: &str) -> Option<u64> {
        self.ids.get(profile).and_then(|id| self.entries.get(id)).map(|e| e.due)
    }
}

/// Seconds to wait after the `attempts`-th consecutive failure.
pub(crate) fn backoff(attempts: u32) -> u64 {
    let exp = attempts.saturating_sub(1).min(16);
    (BACKOFF_START << exp).min(BACKOFF_CAP)
}

/// A stable pseudo-random number in [0, 1) per profile and token (no RNG state).
fn jitter_unit(profile: &str, obtained: u64) -> f64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (profile, obtained).hash(&mut h);
    (h.finish() % 10_000) as f64 / 10_000.0
}

/// The `min_valid` to pass to [`crate::renewal::refresh::fresh_token`] for a scheduled renewal:
/// just above what is left at the planned point, so a token another process already
/// renewed counts as fresh and is not renewed twice.
pub(crate) fn min_valid_for(state: &TokenState, policy: &Policy) -> Option<u64> {
    let (obtained, expires) = (state.obtained_at?, state.expires_at?);
    let life = expires.saturating_sub(obtained) as f64;
    Some((life * (1.0 - policy.fraction + policy.jitter)).ceil() as u64 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_a_second_or_none_are_renewed_no_more_than_every_2_seconds() {
        let mut schedule = Schedule::new(Policy::default());
        for (life, renewal) in [(1, Renewal::RefreshToken), (0, Renewal::RefreshToken), (0, Renewal::ReexchangeCode)] {
            let state = TokenState {
                status: Status::SignedIn,
                obtained_at: Some(1000),
                expires_at: Some(1000 + life),
                has_refresh_token: true,
                ..Default::default()
            };
            let (due, action) = schedule.plan("p", renewal, &state, 1000).unwrap();
            assert_eq!((due, action), (1000 + MIN_RENEW_GAP, Action::Renew), "life {life} s, {renewal:?}");
        }
    }

    fn signed_in(obtained: u64, life: u64) -> TokenState {
        TokenState {
            status: Status::SignedIn,
            obtained_at: Some(obtained),
            expires_at: Some(obtained + life),
            has_refresh_token: true,
            ..Default::default()
        }
    }

    #[test]
    fn renews_at_three_quarters_with_small_jitter() {
        let mut s = Schedule::new(Policy::default());
        let (due, action) = s.plan("majora", Renewal::RefreshToken, &signed_in(1000, 36000), 1000).unwrap();
        assert_eq!(action, Action::Renew);
        let expected = 1000 + 27000;
        assert!((due as i64 - expected).abs() <= 720, "due {due}, expected about {expected}");
        assert_eq!(s.next_due(), Some(due));
        assert!(s.pop_due(due - 1).is_empty());
        assert_eq!(s.pop_due(due), vec![("majora".to_string(), Action::Renew)]);
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn agate_at_expiry_sign_in_only_says_needs_you() {
        let mut s = Schedule::new(Policy::default());
        assert_eq!(s.plan("agate", Renewal::ReexchangeCode, &signed_in(0, 28800), 0), Some((28800, Action::Renew)));
        assert_eq!(s.plan("other", Renewal::SignIn, &signed_in(0, 3600), 0), Some((3600, Action::NeedsYou)));
    }

    #[test]
    fn needs_sign_in_needs_client_and_signed_out_are_not_scheduled() {
        let mut s = Schedule::new(Policy::default());
        s.plan("p", Renewal::RefreshToken, &signed_in(0, 100), 0);
        let mut st = signed_in(0, 100);
        st.status = Status::NeedsSignIn;
        assert_eq!(s.plan("p", Renewal::RefreshToken, &st, 10), None);
        assert_eq!(s.next_due(), None, "a replaced plan must not fire");
        st.status = Status::SignedOut;
        assert_eq!(s.plan("p", Renewal::RefreshToken, &st, 10), None);
        // A refused client is not tried again with back-off: only a person can mend it.
        st.status = Status::NeedsClient;
        st.last_error_at = Some(10);
        assert_eq!(s.plan("p", Renewal::RefreshToken, &st, 10), None);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), 15);
        assert_eq!(backoff(2), 30);
        assert_eq!(backoff(3), 60);
        assert_eq!(backoff(10), BACKOFF_CAP);
        assert_eq!(backoff(1000), BACKOFF_CAP);
        let mut s = Schedule::new(Policy::default());
        let mut st = signed_in(0, 100);
        st.status = Status::Failing;
        st.last_error_at = Some(500);
        s.record_failure("p");
        assert_eq!(s.plan("p", Renewal::RefreshToken, &st, 500).unwrap().0, 515);
        s.record_failure("p");
        s.record_failure("p");
        assert_eq!(s.plan("p", Renewal::RefreshToken, &st, 500).unwrap().0, 560);
        // Success resets the count.
        s.plan("p", Renewal::RefreshToken, &signed_in(600, 100), 600);
        assert_eq!(s.failures("p"), 0);
    }

    #[test]
    fn after_sleep_overdue_profiles_are_due_at_once_earliest_first() {
        let mut s = Schedule::new(Policy { jitter: 0.0, ..Policy::default() });
        s.plan("a", Renewal::RefreshToken, &signed_in(0, 400), 0); // due 300
        s.plan("b", Renewal::RefreshToken, &signed_in(0, 200), 0); // due 150
        s.plan("c", Renewal::RefreshToken, &signed_in(0, 40000), 0); // due 30000
                                                                     // The machine slept; the wall clock jumped to 5000.
        let due = s.pop_due(5000);
        assert_eq!(due.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), vec!["b", "a"]);
        assert_eq!(s.next_due(), Some(30000));
    }

    #[test]
    fn a_renewal_elsewhere_is_not_repeated() {
        let policy = Policy::default();
        let st = signed_in(0, 20);
        let min_valid = min_valid_for(&st, &policy).unwrap();
        // At the planned point (15 s of 20) the token has 5 s left: renew.
        assert!(5 < min_valid);
        // A token just renewed by another process has 20 s left: fresh.
        assert!(20 >= min_valid);
    }

    #[test]
    fn defer_moves_a_due_event_later_only() {
        let mut s = Schedule::new(Policy { jitter: 0.0, ..Policy::default() });
        s.plan("p", Renewal::RefreshToken, &signed_in(0, 100), 0); // due 75
        s.defer("p", 200);
        assert_eq!(s.next_due(), Some(200));
        s.defer("p", 100);
        assert_eq!(s.next_due(), Some(200));
        assert!(s.pop_due(199).is_empty());
    }

    #[test]
    fn any_renewal_point_renews_at_its_due_time() {
        for fraction in [0.5, 0.75, 0.95] {
            let policy = Policy { fraction, ..Policy::default() };
            let mut s = Schedule::new(policy);
            for start in [0u64, 1_000, 77_777] {
                let st = signed_in(start, 20);
                let (due, _) = s.plan("p", Renewal::RefreshToken, &st, start).unwrap();
                let left = (start + 20).saturating_sub(due);
                assert!(
                    left < min_valid_for(&st, &policy).unwrap(),
                    "fraction {fraction}: a due renewal would find the token fresh"
                );
            }
        }
    }

    #[test]
    fn ten_thousand_profiles() {
        let mut s = Schedule::new(Policy::default());
        for i in 0..10_000u64 {
            s.plan(&format!("p{i}"), Renewal::RefreshToken, &signed_in(i, 36000), i);
        }
        assert_eq!(s.len(), 10_000);
        // Replanning everyone leaves one live entry each.
        for i in 0..10_000u64 {
            s.plan(&format!("p{i}"), Renewal::RefreshToken, &signed_in(i + 100, 36000), i + 100);
        }
        assert!(s.heap.len() <= 2 * s.len() + 64, "stale entries pile up: {}", s.heap.len());
        let all = s.pop_due(u64::MAX / 2);
        assert_eq!(all.len(), 10_000);
        assert!(s.is_empty());
    }
}
