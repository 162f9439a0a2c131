//! Why the server could not listen on its port, worded so the admin knows
//! what to do: the Callback URL names the port, so changing it is two steps.

/// Windows' WSAEACCES, "access forbidden". On a loopback bind it means the
/// port is in a range Windows reserves (Hyper-V, WSL and Docker exclude
/// ranges, often hundreds of ports at a time) rather than one in use. Std
/// calls it `PermissionDenied` only on Windows, so the raw code is what is
/// matched: no other platform has an error 10013, and the wording can be
/// tested on Linux.
const WSAEACCES: i32 = 10013;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "Port {0} is in use by another program (if it is another sftoken, its own terminal shows its address). Stop that program, or start sftoken with --port N and change the External Client App's Callback URL to http://localhost:N/callback."
    )]
    PortTaken(u16),
    #[error(
        "Port {0} is reserved by Windows (access forbidden, os error 10013): Hyper-V, WSL and Docker reserve ranges of ports, which `netsh interface ipv4 show excludedportrange protocol=tcp` lists. Start sftoken with --port N outside those ranges, and change the External Client App's Callback URL to http://localhost:N/callback."
    )]
    ReservedByWindows(u16),
    #[error("Could not listen on port {port} ({source}). Try another port with --port N.")]
    Other { port: u16, source: std::io::Error },
}

impl BindError {
    /// The error for a failed bind (or `local_addr`) on `port`.
    pub fn new(port: u16, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            Self::PortTaken(port)
        } else if source.raw_os_error() == Some(WSAEACCES) {
            Self::ReservedByWindows(port)
        } else {
            Self::Other { port, source }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Error, ErrorKind};

    use super::BindError;

    #[test]
    fn a_port_windows_reserves_names_the_ranges_and_the_way_out() {
        let error = BindError::new(8719, Error::from_raw_os_error(10013));
        assert!(matches!(error, BindError::ReservedByWindows(8719)));
        let message = error.to_string();
        for said in [
            "Port 8719 is reserved by Windows",
            "os error 10013",
            "netsh interface ipv4 show excludedportrange protocol=tcp",
            "--port N",
            "Callback URL to http://localhost:N/callback",
        ] {
            assert!(message.contains(said), "{said:?} missing from: {message}");
        }
        assert!(!message.contains("in use"), "{message}");
    }

    #[test]
    fn a_port_in_use_says_so() {
        let error = BindError::new(8719, Error::from(ErrorKind::AddrInUse));
        assert!(matches!(error, BindError::PortTaken(8719)));
        assert!(error.to_string().contains("in use by another program"));
    }

    /// Linux's EACCES (13, a port below 1024 without root) is not Windows'
    /// reservation: it keeps the system's own words.
    #[test]
    fn other_errors_keep_their_own_words() {
        let error = BindError::new(80, Error::from_raw_os_error(13));
        assert!(
            matches!(error, BindError::Other { port: 80, .. }),
            "{error}"
        );
        assert!(!error.to_string().contains("Windows"), "{error}");
    }
}
