//! The three commands: `sftoken` serves the page ([`serve`]), `sftoken check`
//! checks settings an admin already has ([`check`]), and `sftoken paste` signs
//! in from a terminal ([`paste`]). Each returns one [`Error`], printed once by
//! `main` with its exit code.

mod check;
mod input;
mod json;
mod logging;
mod output;
mod paste;
mod piped;
mod progress;
mod serve;

pub use check::check;
pub use input::{Input, Stdin};
pub use logging::init_logging;
pub use paste::paste;
pub use serve::serve;

use std::process::ExitCode;

use crate::config::ConfigError;
use crate::web::BindError;

/// Everything that ends the program with an error, each with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Bind(#[from] BindError),
    #[error("The server stopped unexpectedly ({0}). Start sftoken again.")]
    Serve(std::io::Error),
    #[error(
        "Could not write the settings ({0}). Check where standard output (or --output) goes, and run again."
    )]
    Output(std::io::Error),
    #[error("{0}")]
    Missing(String),
    /// A value typed or pasted at the terminal that breaks its type's rule,
    /// in the page's words.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
    #[error(
        "sftoken stopped before a sign-in completed, so no settings were printed. Run it again and sign in."
    )]
    NotCaptured,
    #[error(
        "sftoken was stopped before the checks finished, so no settings were printed. Run it again and sign in."
    )]
    Interrupted,
}

impl Error {
    fn refused(reason: impl std::fmt::Display) -> Self {
        Self::Refused(reason.to_string())
    }

    /// 2: bad usage or configuration; 3: the port is taken; 1: anything else.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Self::Config(_) | Self::Missing(_) | Self::Refused(_) => 2,
            Self::Bind(BindError::PortTaken(_)) => 3,
            Self::Bind(_)
            | Self::Serve(_)
            | Self::Output(_)
            | Self::Failed(_)
            | Self::NotCaptured
            | Self::Interrupted => 1,
        })
    }
}
