//! The discrete-event core: simulated time and the event queue. Knows nothing of ECS.

mod queue;
mod time;

pub use queue::{EventQueue, ScheduleInPast};
pub use time::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SimDuration, SimTime};
