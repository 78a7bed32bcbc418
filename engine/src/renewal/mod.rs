//! Keeping tokens fresh without a person. Three parts, named for what they are:
//! `refresh` renews one profile's tokens once, safely under rotation (lock, re-read,
//! store before serving); `schedule` decides when each profile is due (a priority queue
//! of due times, with backoff); `worker` is the background thread that sleeps until the
//! next due time (`wakeup`) and runs the refreshes, reporting what needs a person.

pub(crate) mod refresh;
pub(crate) mod schedule;
pub mod wakeup;
pub(crate) mod worker;
