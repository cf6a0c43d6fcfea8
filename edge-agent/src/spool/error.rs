//! Typed errors of the spool.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// Why the spool could not open, store or read a batch.
#[derive(Debug, Error)]
pub enum SpoolError {
    #[error(
        "cannot use spool directory {path}; check that the agent may write there or configure another spool directory"
    )]
    Directory {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("spool file {path} could not be {action}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("a frame of {len_bytes} bytes cannot be spooled: a spool of {max_bytes} bytes holds frames up to {limit_bytes} bytes")]
    FrameTooLarge {
        len_bytes: usize,
        max_bytes: u64,
        limit_bytes: u64,
    },
    #[error(
        "batch {batch_seq} is out of order: the spool expects batch {next_batch_seq} or above"
    )]
    BatchOutOfOrder { batch_seq: u64, next_batch_seq: u64 },
    #[error("spool limit of {max_bytes} bytes is below the minimum of {min_bytes} bytes")]
    LimitTooSmall { max_bytes: u64, min_bytes: u64 },
}

impl SpoolError {
    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            action,
            source,
        }
    }
}
