//! Frames other than `Samples` waiting to be sent, bounded, oldest dropped first.

use std::collections::VecDeque;

/// Encoded frames without acknowledgement (optics, session events, command results). They are
/// kept in memory while disconnected and sent once, at most.
#[derive(Debug)]
pub(crate) struct Outbox {
    frames: VecDeque<Vec<u8>>,
    capacity: usize,
}

impl Outbox {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            frames: VecDeque::new(),
            capacity,
        }
    }

    /// Queues a frame; returns how many frames were dropped to make room (0 or 1).
    pub(crate) fn push(&mut self, frame_bytes: Vec<u8>) -> u64 {
        if self.capacity == 0 {
            return 1;
        }
        let dropped = if self.frames.len() >= self.capacity {
            self.frames.pop_front();
            1
        } else {
            0
        };
        self.frames.push_back(frame_bytes);
        dropped
    }

    /// Puts back a frame whose send failed, to go first on the next connection.
    pub(crate) fn requeue(&mut self, frame_bytes: Vec<u8>) {
        if self.capacity > 0 && self.frames.len() < self.capacity {
            self.frames.push_front(frame_bytes);
        }
    }

    pub(crate) fn pop(&mut self) -> Option<Vec<u8>> {
        self.frames.pop_front()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(capacity: usize, pushes: &[u8], expected: &[u8], expected_dropped: u64) {
        let mut outbox = Outbox::new(capacity);
        let dropped: u64 = pushes.iter().map(|b| outbox.push(vec![*b])).sum();
        let mut left = Vec::new();
        while let Some(frame) = outbox.pop() {
            left.extend(frame);
        }
        assert_eq!(left, expected, "capacity {capacity}");
        assert_eq!(dropped, expected_dropped, "capacity {capacity}");
    }

    #[test]
    fn keeps_the_newest() {
        check(3, &[1, 2], &[1, 2], 0);
        check(3, &[1, 2, 3, 4, 5], &[3, 4, 5], 2);
        check(0, &[1, 2], &[], 2);
    }
}
