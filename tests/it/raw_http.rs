//! A raw HTTP/1.1 client on one loopback TCP connection, for what a polite
//! client such as reqwest will not send: no `Host`, more than 100 headers, a
//! request trickled in pieces or cut in half. It keeps the connection open
//! between requests (keep-alive), as a browser does, and counts the bytes on
//! the wire.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// The most a response head may take; more is an error, not a hang.
const MAX_HEAD: usize = 64 * 1024;

/// `METHOD target HTTP/1.1`, then `Host` (none if `None`), the headers, a
/// `Content-Length` unless the headers frame the body, and the body.
pub fn request(
    method: &str,
    target: &str,
    host: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {target} HTTP/1.1\r\n");
    if let Some(host) = host {
        head.push_str(&format!("Host: {host}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let framed = headers.iter().any(|(name, _)| {
        name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
    });
    if !framed && (!body.is_empty() || method == "POST") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// `body` in HTTP/1.1 chunked encoding, 16 KiB a chunk.
pub fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 64);
    for chunk in body.chunks(16 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// One answer, as read off the wire.
pub struct Response {
    pub status: u16,
    /// Names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, with any chunked framing removed (still compressed if it was).
    pub body: Vec<u8>,
    /// The server will close the connection after this answer.
    pub close: bool,
    /// Bytes the answer took on the wire: head, body and any chunk framing.
    pub wire_bytes: usize,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An open connection to `127.0.0.1:port`.
pub struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    pub async fn open(port: u16) -> io::Result<Connection> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream: BufReader::new(stream),
        })
    }

    /// Sends `request` whole and reads the answer.
    pub async fn send(&mut self, request: &[u8]) -> io::Result<Response> {
        let written = self.write(request).await;
        // A server that refuses a request before reading all of it may answer
        // and close while the rest is still being written: read the answer.
        match self.read_response().await {
            Ok(response) => Ok(response),
            Err(e) => Err(written.err().unwrap_or(e)),
        }
    }

    /// Sends `request` in `pieces` parts with `pause` between them, as a slow
    /// client does, and reads the answer.
    pub async fn trickle(
        &mut self,
        request: &[u8],
        pieces: usize,
        pause: Duration,
    ) -> io::Result<Response> {
        let size = request.len().div_ceil(pieces.max(1)).max(1);
        for (n, piece) in request.chunks(size).enumerate() {
            if n > 0 {
                tokio::time::sleep(pause).await;
            }
            self.write(piece).await?;
        }
        self.read_response().await
    }

    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stream = self.stream.get_mut();
        stream.write_all(bytes).await?;
        stream.flush().await
    }

    /// Reads one answer. A connection the server closed before answering at
    /// all gives `ErrorKind::ConnectionAborted` (a stale keep-alive connection,
    /// worth one retry on a new one); a cut-off answer, `UnexpectedEof`.
    pub async fn read_response(&mut self) -> io::Result<Response> {
        let mut wire_bytes = 0;
        let mut line = String::new();
        let status_line = match self.read_line(&mut line, &mut wire_bytes).await {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "closed before answering",
                ));
            }
            Ok(_) => line.trim_end().to_owned(),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset && wire_bytes == 0 => {
                return Err(io::Error::new(io::ErrorKind::ConnectionAborted, e));
            }
            Err(e) => return Err(e),
        };
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default().to_owned();
        let status = parts
            .next()
            .and_then(|code| code.parse().ok())
            .filter(|_| version.starts_with("HTTP/1."))
            .ok_or_else(|| invalid(format!("bad status line {status_line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.read_line(&mut line, &mut wire_bytes).await? == 0 {
                return Err(eof("the head was cut off"));
            }
            if wire_bytes > MAX_HEAD {
                return Err(invalid("the head is too long".to_owned()));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header
                .split_once(':')
                .ok_or_else(|| invalid(format!("bad header line {header:?}")))?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        let has = |name: &str, word: &str| {
            headers
                .iter()
                .any(|(key, value)| key == name && value.to_ascii_lowercase().contains(word))
        };
        let mut close = has("connection", "close") || version == "HTTP/1.0";
        let length = headers
            .iter()
            .find(|(key, _)| key == "content-length")
            .map(|(_, value)| value.parse::<usize>())
            .transpose()
            .map_err(|_| invalid("bad Content-Length".to_owned()))?;
        let body = if (100..200).contains(&status) || status == 204 || status == 304 {
            Vec::new()
        } else if has("transfer-encoding", "chunked") {
            self.read_chunked(&mut wire_bytes).await?
        } else if let Some(length) = length {
            let mut body = vec![0; length];
            self.stream.read_exact(&mut body).await?;
            wire_bytes += length;
            body
        } else {
            close = true;
            let mut body = Vec::new();
            self.stream.read_to_end(&mut body).await?;
            wire_bytes += body.len();
            body
        };
        Ok(Response {
            status,
            headers,
            body,
            close,
            wire_bytes,
        })
    }

    async fn read_chunked(&mut self, wire_bytes: &mut usize) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if self.read_line(&mut line, wire_bytes).await? == 0 {
                return Err(eof("a chunk size was cut off"));
            }
            let size = line.trim_end().split(';').next().unwrap_or_default();
            let size = usize::from_str_radix(size.trim(), 16)
                .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    line.clear();
                    if self.read_line(&mut line, wire_bytes).await? == 0 || line == "\r\n" {
                        return Ok(body);
                    }
                }
            }
            let start = body.len();
            body.resize(start + size + 2, 0);
            self.stream.read_exact(&mut body[start..]).await?;
            *wire_bytes += size + 2;
            body.truncate(start + size);
        }
    }

    async fn read_line(&mut self, line: &mut String, wire_bytes: &mut usize) -> io::Result<usize> {
        let mut raw = Vec::new();
        let read = (&mut self.stream)
            .take(MAX_HEAD as u64)
            .read_until(b'\n', &mut raw)
            .await?;
        *wire_bytes += read;
        line.push_str(&String::from_utf8_lossy(&raw));
        Ok(read)
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn eof(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, message.to_owned())
}
