//! A small in-memory rate limiter for sign-in attempts, per client address. Account lock-out
//! (in `app`) stops guessing one account's password; this stops spraying many accounts from
//! one place. It is per process: several instances behind a load balancer each keep their
//! own count, which still bounds the rate.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct RateLimiter {
    limit: usize,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: usize, window: Duration) -> RateLimiter {
        RateLimiter { limit, window, hits: Mutex::new(HashMap::new()) }
    }

    /// Records an attempt; false when the key has used up its attempts in the window.
    pub(crate) fn allow(&self, key: &str, now: Instant) -> bool {
        let mut hits = self.hits.lock().expect("rate limiter lock");
        if hits.len() > 10_000 {
            hits.retain(|_, times| times.back().is_some_and(|last| now.duration_since(*last) < self.window));
        }
        let times = hits.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|first| now.duration_since(*first) >= self.window) {
            times.pop_front();
        }
        if times.len() >= self.limit {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_limit_per_window() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limiter.allow("a", start));
        assert!(limiter.allow("a", start));
        assert!(limiter.allow("a", start));
        assert!(!limiter.allow("a", start));
        assert!(limiter.allow("b", start), "other addresses are unaffected");
        assert!(limiter.allow("a", start + Duration::from_secs(61)), "the window moves on");
    }
}
