//! The restart policy: how many unexpected stops are tolerated, within which window, and how
//! long to wait before starting again. Each face maps its own settings onto it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The limits on restarting a failing node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// Restarts allowed; the failure after the last allowed restart ends the run.
    pub max_restarts: u64,
    /// Wait before each restart.
    pub delay: Duration,
    /// When set, the wait doubles with each restart still counted, up to this.
    pub max_delay: Option<Duration>,
    /// Failures older than this are forgotten; `None` keeps them until the budget is reset.
    pub window: Option<Duration>,
    /// A run that lasted at least this long starts the count afresh (Nymvisor's startup
    /// period: only failures in quick succession count).
    pub reset_after: Option<Duration>,
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartDecision {
    /// Restart after `delay`; `remaining` restarts are left after this one.
    Restart {
        /// The wait before the restart.
        delay: Duration,
        /// Restarts left after this one.
        remaining: u64,
    },
    /// The budget is spent.
    GiveUp {
        /// Restarts already made within the window.
        restarts: u64,
    },
}

/// The failures counted against a [`RestartPolicy`].
#[derive(Debug, Default, Clone)]
pub struct RestartBudget {
    restarts: VecDeque<Instant>,
}

impl RestartBudget {
    /// Counts a failure at `now`, after a run of `ran_for` (`None`: it never ran), and decides.
    pub fn on_failure(&mut self, policy: &RestartPolicy, now: Instant, ran_for: Option<Duration>) -> RestartDecision {
        if policy.reset_after.is_some_and(|long| ran_for.is_some_and(|ran| ran >= long)) {
            self.restarts.clear();
        }
        self.forget_old(policy, now);
        let used = self.restarts.len() as u64;
        if used >= policy.max_restarts {
            return RestartDecision::GiveUp { restarts: used };
        }
        self.restarts.push_back(now);
        let delay = match policy.max_delay {
            Some(max) => policy.delay.saturating_mul(1 << used.min(20)).min(max.max(policy.delay)),
            None => policy.delay,
        };
        RestartDecision::Restart { delay, remaining: policy.max_restarts - used - 1 }
    }

    /// Restarts counted now, after forgetting those outside the window.
    pub fn used(&mut self, policy: &RestartPolicy, now: Instant) -> u64 {
        self.forget_old(policy, now);
        self.restarts.len() as u64
    }

    /// Whether any restart happened since the last reset (windows aside).
    pub fn restarted(&self) -> bool {
        !self.restarts.is_empty()
    }

    /// Forgets every failure (after an upgrade, a new release gets a fresh budget).
    pub fn reset(&mut self) {
        self.restarts.clear();
    }

    fn forget_old(&mut self, policy: &RestartPolicy, now: Instant) {
        if let Some(window) = policy.window {
            while self.restarts.front().is_some_and(|t| now.duration_since(*t) >= window) {
                self.restarts.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn policy(max: u64, window: Option<u64>) -> RestartPolicy {
        RestartPolicy {
            max_restarts: max,
            delay: Duration::from_secs(5),
            window: window.map(Duration::from_secs),
            reset_after: None,
            max_delay: None,
        }
    }

    #[test]
    fn the_wait_doubles_up_to_its_cap_when_asked() {
        let p = RestartPolicy { max_delay: Some(Duration::from_secs(12)), ..policy(5, None) };
        let mut b = RestartBudget::default();
        let t = Instant::now();
        let delays: Vec<u64> = (0..5)
            .map(|_| match b.on_failure(&p, t, None) {
                RestartDecision::Restart { delay, .. } => delay.as_secs(),
                RestartDecision::GiveUp { .. } => 0,
            })
            .collect();
        assert_eq!(delays, [5, 10, 12, 12, 12]);
    }

    #[test]
    fn allows_max_restarts_then_gives_up() {
        let p = policy(3, None);
        let mut b = RestartBudget::default();
        let t = Instant::now();
        for left in [2, 1, 0] {
            assert_eq!(b.on_failure(&p, t, None), RestartDecision::Restart { delay: p.delay, remaining: left });
        }
        assert_eq!(b.on_failure(&p, t, None), RestartDecision::GiveUp { restarts: 3 });
    }

    #[test]
    fn zero_restarts_gives_up_at_once() {
        let mut b = RestartBudget::default();
        assert_eq!(b.on_failure(&policy(0, None), Instant::now(), None), RestartDecision::GiveUp { restarts: 0 });
    }

    #[test]
    fn window_forgets_old_failures() {
        let p = policy(1, Some(60));
        let mut b = RestartBudget::default();
        let t = Instant::now();
        assert!(matches!(b.on_failure(&p, t, None), RestartDecision::Restart { .. }));
        assert!(matches!(b.on_failure(&p, t + Duration::from_secs(30), None), RestartDecision::GiveUp { .. }));
        assert!(matches!(b.on_failure(&p, t + Duration::from_secs(61), None), RestartDecision::Restart { .. }));
    }

    #[test]
    fn a_long_run_starts_the_count_afresh() {
        let p = RestartPolicy { reset_after: Some(Duration::from_secs(120)), ..policy(1, None) };
        let mut b = RestartBudget::default();
        let t = Instant::now();
        assert!(matches!(b.on_failure(&p, t, Some(Duration::from_secs(3))), RestartDecision::Restart { .. }));
        assert!(matches!(b.on_failure(&p, t, Some(Duration::from_secs(3))), RestartDecision::GiveUp { .. }));
        assert!(matches!(b.on_failure(&p, t, Some(Duration::from_secs(600))), RestartDecision::Restart { .. }));
    }

    #[test]
    fn reset_restores_the_budget() {
        let p = policy(1, None);
        let mut b = RestartBudget::default();
        let t = Instant::now();
        b.on_failure(&p, t, None);
        b.reset();
        assert!(!b.restarted());
        assert!(matches!(b.on_failure(&p, t, None), RestartDecision::Restart { .. }));
    }

    proptest! {
        #[test]
        fn never_more_restarts_in_a_window_than_allowed(max in 0u64..5, gaps in proptest::collection::vec(0u64..100, 1..40)) {
            let p = policy(max, Some(60));
            let mut b = RestartBudget::default();
            let start = Instant::now();
            let mut now = start;
            let mut granted: Vec<Instant> = Vec::new();
            for gap in gaps {
                now += Duration::from_secs(gap);
                if let RestartDecision::Restart { .. } = b.on_failure(&p, now, None) {
                    granted.push(now);
                }
                let recent = granted.iter().filter(|t| now.duration_since(**t) < Duration::from_secs(60)).count() as u64;
                prop_assert!(recent <= max);
            }
        }
    }
}
