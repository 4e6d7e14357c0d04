//! PHOLD on ecsim's event queue as a plain program printing events per second
//! in the format `compare.sh` reads (the criterion version is `benches/engine.rs`).

#[path = "ecsim_phold.rs"]
mod ecsim_phold;
#[path = "phold.rs"]
mod phold;
#[path = "timing.rs"]
mod timing;

use ecsim_phold::EcsimPhold;
use timing::{Phold, Plan};

impl Phold for EcsimPhold {
    fn process(&mut self, events: u64) -> u64 {
        self.run(events).as_millis()
    }
}

fn main() {
    let plan = Plan::from_args();
    for &case in &plan.cases {
        timing::measure("ecsim", case, &plan, &mut EcsimPhold::new(case));
    }
}
