//! Packet framing (format-spec/protocol.md, sections 1 and 2): a writer and a
//! reader of length-prefixed packets, and the side-band demultiplexer. Every
//! malformed input is refused with a typed error naming what was wrong and
//! the byte offset of the offending packet's header.
#![warn(missing_docs)]

use std::io::{self, Read, Write};

/// The largest packet, header included (`fff0`).
pub const MAX_PACKET: usize = 65520;
/// The largest data payload.
pub const MAX_PAYLOAD: usize = MAX_PACKET - 4;
/// The largest side-band data after the channel byte.
pub const MAX_SIDEBAND_DATA: usize = MAX_PAYLOAD - 1;

/// One packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Packet {
    /// 1 to `MAX_PAYLOAD` payload bytes.
    Data(Vec<u8>),
    /// `0000`: the end of a message or section.
    Flush,
    /// `0001`: separates sections of a message.
    Delim,
    /// `0002`: the end of a response.
    ResponseEnd,
}

/// How a packet shows in the packet trace (`HAKO_TRACE_PACKET`, as git's
/// `GIT_TRACE_PACKET`): flush, delim and response-end by name; a data
/// packet as text, non-printable bytes escaped, at most 80 of them (a
/// side-band packet shows its channel and its length).
fn traced(p: &Packet) -> String {
    match p {
        Packet::Flush => "0000".into(),
        Packet::Delim => "0001".into(),
        Packet::ResponseEnd => "0002".into(),
        Packet::Data(d) => {
            let line = strip_lf(d);
            if let Some(&c @ 1..=3) = d.first() {
                return format!("[side-band {c}, {} bytes]", d.len() - 1);
            }
            let mut out: String = line
                .iter()
                .take(80)
                .flat_map(|&c| std::ascii::escape_default(c))
                .map(char::from)
                .collect();
            if line.len() > 80 {
                out.push_str(&format!("... ({} bytes)", line.len()));
            }
            out
        }
    }
}

impl Packet {
    /// A text line: the payload is `line` followed by LF.
    pub fn text(line: &str) -> Packet {
        let mut v = Vec::with_capacity(line.len() + 1);
        v.extend_from_slice(line.as_bytes());
        v.push(b'\n');
        Packet::Data(v)
    }

    /// The payload of a data packet as a text line: one trailing LF removed.
    pub fn as_line(&self) -> Option<&[u8]> {
        match self {
            Packet::Data(d) => Some(strip_lf(d)),
            _ => None,
        }
    }
}

/// `payload` without one trailing LF, if it has one.
pub fn strip_lf(payload: &[u8]) -> &[u8] {
    payload.strip_suffix(b"\n").unwrap_or(payload)
}

/// Why a packet stream was refused.
#[derive(Debug, thiserror::Error)]
pub enum PktError {
    /// A packet's 4-byte length header is not lowercase hex.
    #[error("bad packet length {header:?} at byte {offset}")]
    BadLength {
        /// The byte offset of the packet's header.
        offset: u64,
        /// The header's bytes, as received.
        header: String,
    },
    /// A packet's length is 3 or 4, which are reserved.
    #[error("reserved packet length {len:04x} at byte {offset}")]
    ReservedLength {
        /// The byte offset of the packet's header.
        offset: u64,
        /// The length the header gives.
        len: usize,
    },
    /// A packet's length exceeds `MAX_PACKET`.
    #[error("oversized packet (length {len}, at most {MAX_PACKET}) at byte {offset}")]
    Oversized {
        /// The byte offset of the packet's header.
        offset: u64,
        /// The length the header gives.
        len: usize,
    },
    /// The input ends inside a packet's length header.
    #[error("truncated packet header at byte {offset} ({got} of 4 bytes)")]
    TruncatedHeader {
        /// The byte offset of the packet's header.
        offset: u64,
        /// Bytes received.
        got: usize,
    },
    /// The input ends before a packet's payload is complete.
    #[error("truncated packet at byte {offset}: {got} of {want} payload bytes")]
    TruncatedPayload {
        /// The byte offset of the packet's header.
        offset: u64,
        /// Payload bytes the header announces.
        want: usize,
        /// Bytes received.
        got: usize,
    },
    /// A side-band packet names no channel, or one other than 1, 2 or 3, or carries no data.
    #[error("bad side-band channel {channel} at byte {offset}")]
    BadChannel {
        /// The byte offset of the packet's header.
        offset: u64,
        /// The channel, as received.
        channel: String,
    },
    /// A data packet with no payload was to be written.
    #[error("empty data packet cannot be written")]
    EmptyData,
    /// A data packet's payload exceeds `MAX_PAYLOAD` bytes.
    #[error("data packet of {0} bytes is too large (at most {MAX_PAYLOAD})")]
    TooLarge(usize),
    /// Reading or writing the underlying stream failed.
    #[error("i/o error at byte {offset}: {err}")]
    Io {
        /// The byte offset of the packet's header.
        offset: u64,
        /// The i/o error.
        err: io::Error,
    },
}

impl PktError {
    /// The vector file's name for this error kind (protocol.md, section 11).
    pub fn kind(&self) -> &'static str {
        match self {
            PktError::BadLength { .. } => "bad-length",
            PktError::ReservedLength { .. } => "reserved-length",
            PktError::Oversized { .. } => "oversized",
            PktError::TruncatedHeader { .. } => "truncated-header",
            PktError::TruncatedPayload { .. } => "truncated-payload",
            PktError::BadChannel { .. } => "bad-channel",
            PktError::EmptyData => "empty-data",
            PktError::TooLarge(_) => "too-large",
            PktError::Io { .. } => "io",
        }
    }

    /// The byte offset the error names, if it names one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            PktError::BadLength { offset, .. }
            | PktError::ReservedLength { offset, .. }
            | PktError::Oversized { offset, .. }
            | PktError::TruncatedHeader { offset, .. }
            | PktError::TruncatedPayload { offset, .. }
            | PktError::BadChannel { offset, .. }
            | PktError::Io { offset, .. } => Some(*offset),
            PktError::EmptyData | PktError::TooLarge(_) => None,
        }
    }
}

/// The bytes of one packet.
pub fn encode(p: &Packet) -> Result<Vec<u8>, PktError> {
    let mut out = Vec::new();
    encode_into(p, &mut out)?;
    Ok(out)
}

fn encode_into(p: &Packet, out: &mut Vec<u8>) -> Result<(), PktError> {
    match p {
        Packet::Flush => out.extend_from_slice(b"0000"),
        Packet::Delim => out.extend_from_slice(b"0001"),
        Packet::ResponseEnd => out.extend_from_slice(b"0002"),
        Packet::Data(d) => {
            if d.is_empty() {
                return Err(PktError::EmptyData);
            }
            if d.len() > MAX_PAYLOAD {
                return Err(PktError::TooLarge(d.len()));
            }
            out.extend_from_slice(format!("{:04x}", d.len() + 4).as_bytes());
            out.extend_from_slice(d);
        }
    }
    Ok(())
}

/// Writes packets to a byte stream.
pub struct PktWriter<W: Write> {
    inner: W,
    offset: u64,
}

impl<W: Write> PktWriter<W> {
    /// A writer to `inner`, at offset 0.
    pub fn new(inner: W) -> PktWriter<W> {
        PktWriter { inner, offset: 0 }
    }

    /// Bytes written so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The underlying writer.
    pub fn into_inner(self) -> W {
        self.inner
    }

    /// The underlying writer, mutably.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Write one packet.
    pub fn write(&mut self, p: &Packet) -> Result<(), PktError> {
        let bytes = encode(p)?;
        tracing::trace!(target: "packet", "> {}", traced(p));
        self.inner.write_all(&bytes).map_err(|err| PktError::Io {
            offset: self.offset,
            err,
        })?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// A data packet of `payload` (1 to `MAX_PAYLOAD` bytes).
    pub fn data(&mut self, payload: &[u8]) -> Result<(), PktError> {
        self.write(&Packet::Data(payload.to_vec()))
    }

    /// A text line (LF appended).
    pub fn line(&mut self, line: &str) -> Result<(), PktError> {
        self.write(&Packet::text(line))
    }

    /// A flush packet (`0000`).
    pub fn flush_pkt(&mut self) -> Result<(), PktError> {
        self.write(&Packet::Flush)
    }

    /// A delimiter packet (`0001`).
    pub fn delim(&mut self) -> Result<(), PktError> {
        self.write(&Packet::Delim)
    }

    /// `data` on side-band `channel` (1, 2 or 3), split into as many packets
    /// as it needs. Nothing is written for empty data.
    pub fn sideband(&mut self, channel: u8, data: &[u8]) -> Result<(), PktError> {
        if !(1..=3).contains(&channel) {
            return Err(PktError::BadChannel {
                offset: self.offset,
                channel: channel.to_string(),
            });
        }
        for chunk in data.chunks(MAX_SIDEBAND_DATA) {
            let mut p = Vec::with_capacity(chunk.len() + 1);
            p.push(channel);
            p.extend_from_slice(chunk);
            self.data(&p)?;
        }
        Ok(())
    }

    /// Flush the underlying writer (not a flush packet).
    pub fn flush_io(&mut self) -> Result<(), PktError> {
        self.inner.flush().map_err(|err| PktError::Io {
            offset: self.offset,
            err,
        })
    }
}

/// Reads packets from a byte stream.
pub struct PktReader<R: Read> {
    inner: R,
    offset: u64,
}

/// Fill `buf` as far as the input goes; the number of bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn hex_value(b: u8) -> Option<usize> {
    match b {
        b'0'..=b'9' => Some((b - b'0') as usize),
        b'a'..=b'f' => Some((b - b'a' + 10) as usize),
        _ => None,
    }
}

impl<R: Read> PktReader<R> {
    /// A reader of `inner`, at offset 0.
    pub fn new(inner: R) -> PktReader<R> {
        PktReader { inner, offset: 0 }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The underlying reader, mutably.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The next packet, or `None` at end of input on a packet boundary.
    pub fn read(&mut self) -> Result<Option<Packet>, PktError> {
        let start = self.offset;
        let io = |err| PktError::Io { offset: start, err };
        let mut header = [0u8; 4];
        let got = read_full(&mut self.inner, &mut header).map_err(io)?;
        if got == 0 {
            return Ok(None);
        }
        if got < 4 {
            return Err(PktError::TruncatedHeader { offset: start, got });
        }
        let mut len = 0usize;
        for &b in &header {
            match hex_value(b) {
                Some(v) => len = len * 16 + v,
                None => {
                    return Err(PktError::BadLength {
                        offset: start,
                        header: String::from_utf8_lossy(&header).into_owned(),
                    })
                }
            }
        }
        let packet = match len {
            0 => Packet::Flush,
            1 => Packet::Delim,
            2 => Packet::ResponseEnd,
            3 | 4 => return Err(PktError::ReservedLength { offset: start, len }),
            _ if len > MAX_PACKET => return Err(PktError::Oversized { offset: start, len }),
            _ => {
                let want = len - 4;
                let mut payload = vec![0u8; want];
                let got = read_full(&mut self.inner, &mut payload).map_err(io)?;
                if got < want {
                    return Err(PktError::TruncatedPayload {
                        offset: start,
                        want,
                        got,
                    });
                }
                Packet::Data(payload)
            }
        };
        self.offset = start + len.max(4) as u64;
        tracing::trace!(target: "packet", "< {}", traced(&packet));
        Ok(Some(packet))
    }

    /// Read side-band packets up to a flush: channel 1 goes to `data`,
    /// channel 2 to `progress`; channel 3 ends the stream with its message
    /// as `Err(SidebandEnd::Remote)`. End of input before the flush is a
    /// truncation.
    pub fn read_sideband(
        &mut self,
        data: &mut dyn Write,
        progress: &mut dyn FnMut(&[u8]),
    ) -> Result<(), SidebandEnd> {
        loop {
            let at = self.offset;
            match self.read()? {
                None => {
                    return Err(PktError::TruncatedHeader { offset: at, got: 0 }.into());
                }
                Some(Packet::Flush) => return Ok(()),
                Some(Packet::Data(p)) => match demux(&p, at)? {
                    Band::Data(d) => data
                        .write_all(d)
                        .map_err(|err| PktError::Io { offset: at, err })?,
                    Band::Progress(d) => progress(d),
                    Band::Error(m) => {
                        return Err(SidebandEnd::Remote(
                            String::from_utf8_lossy(strip_lf(m)).into_owned(),
                        ))
                    }
                },
                Some(other) => {
                    return Err(PktError::BadChannel {
                        offset: at,
                        channel: format!("{other:?}"),
                    }
                    .into())
                }
            }
        }
    }
}

/// A side-band packet's content.
#[derive(Debug, PartialEq, Eq)]
pub enum Band<'a> {
    /// Channel 1: the data.
    Data(&'a [u8]),
    /// Channel 2: progress messages.
    Progress(&'a [u8]),
    /// Channel 3: the remote's error message.
    Error(&'a [u8]),
}

/// Split a side-band payload into its channel and bytes; `offset` is the
/// packet's, for the error.
pub fn demux(payload: &[u8], offset: u64) -> Result<Band<'_>, PktError> {
    let bad = |channel: String| PktError::BadChannel { offset, channel };
    let (&ch, rest) = payload.split_first().ok_or_else(|| bad("(none)".into()))?;
    if rest.is_empty() {
        return Err(bad(format!("{ch} with no data")));
    }
    match ch {
        1 => Ok(Band::Data(rest)),
        2 => Ok(Band::Progress(rest)),
        3 => Ok(Band::Error(rest)),
        _ => Err(bad(ch.to_string())),
    }
}

/// How a side-band stream ended other than with a flush.
#[derive(Debug, thiserror::Error)]
pub enum SidebandEnd {
    /// The packet stream itself was malformed or failed.
    #[error(transparent)]
    Pkt(#[from] PktError),
    /// The remote sent an error on side-band channel 3.
    #[error("remote error: {0}")]
    Remote(String),
}

/// A writer sending everything written to it on one side-band channel, in
/// packets of up to `MAX_SIDEBAND_DATA` bytes (buffered; `finish` sends
/// the rest).
pub struct BandWriter<'a, W: Write> {
    pkt: &'a mut PktWriter<W>,
    channel: u8,
    buf: Vec<u8>,
}

impl<'a, W: Write> BandWriter<'a, W> {
    /// A writer on side-band `channel` of `pkt`.
    pub fn new(pkt: &'a mut PktWriter<W>, channel: u8) -> BandWriter<'a, W> {
        BandWriter {
            pkt,
            channel,
            buf: Vec::with_capacity(MAX_SIDEBAND_DATA),
        }
    }

    /// Send what is buffered.
    pub fn finish(mut self) -> Result<(), PktError> {
        self.send()
    }

    fn send(&mut self) -> Result<(), PktError> {
        if !self.buf.is_empty() {
            self.pkt.sideband(self.channel, &self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

fn io_err(e: PktError) -> io::Error {
    match e {
        PktError::Io { err, .. } => err,
        e => io::Error::other(e),
    }
}

impl<W: Write> Write for BandWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = MAX_SIDEBAND_DATA - self.buf.len();
        let n = room.min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == MAX_SIDEBAND_DATA {
            self.send().map_err(io_err)?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send().map_err(io_err)?;
        self.pkt.flush_io().map_err(io_err)
    }
}

/// A writer sending everything written to it as plain data packets (the
/// pushed pack, protocol.md section 7); `finish` sends the rest.
pub struct DataWriter<'a, W: Write> {
    pkt: &'a mut PktWriter<W>,
    buf: Vec<u8>,
}

impl<'a, W: Write> DataWriter<'a, W> {
    /// A writer of data packets to `pkt`.
    pub fn new(pkt: &'a mut PktWriter<W>) -> DataWriter<'a, W> {
        DataWriter {
            pkt,
            buf: Vec::with_capacity(MAX_PAYLOAD),
        }
    }

    /// Send what is buffered.
    pub fn finish(mut self) -> Result<(), PktError> {
        self.send()
    }

    fn send(&mut self) -> Result<(), PktError> {
        if !self.buf.is_empty() {
            self.pkt.data(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl<W: Write> Write for DataWriter<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = (MAX_PAYLOAD - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == MAX_PAYLOAD {
            self.send().map_err(io_err)?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send().map_err(io_err)?;
        self.pkt.flush_io().map_err(io_err)
    }
}

/// How a stream read by [`StreamReader`] went wrong (kept so the caller can
/// report it precisely instead of as an i/o error of whoever was reading).
#[derive(Debug, Default)]
pub struct StreamFault(pub Option<String>);

/// A reader over the data of a packet stream that ends with a flush: with
/// `sideband`, channel 1 is the data, channel 2 goes to `progress` and
/// channel 3 is the remote's error; without, every data packet's payload is
/// data. End of input before the flush is an error (a truncated stream).
pub struct StreamReader<'a, R: Read> {
    pkt: &'a mut PktReader<R>,
    sideband: bool,
    progress: &'a mut dyn FnMut(&[u8]),
    buf: Vec<u8>,
    pos: usize,
    done: bool,
    /// Set when the stream failed: the reason.
    pub fault: StreamFault,
}

impl<'a, R: Read> StreamReader<'a, R> {
    /// A reader of the stream on `pkt`; with `sideband`, channel 2 goes to `progress`.
    pub fn new(
        pkt: &'a mut PktReader<R>,
        sideband: bool,
        progress: &'a mut dyn FnMut(&[u8]),
    ) -> StreamReader<'a, R> {
        StreamReader {
            pkt,
            sideband,
            progress,
            buf: Vec::new(),
            pos: 0,
            done: false,
            fault: StreamFault(None),
        }
    }

    /// Whether the closing flush was read.
    pub fn finished(&self) -> bool {
        self.done
    }

    fn fail(&mut self, why: String) -> io::Error {
        self.fault = StreamFault(Some(why.clone()));
        io::Error::other(why)
    }

    /// Read the closing flush: data past what the consumer wanted is an
    /// error (the stream had trailing bytes), found without reading the rest
    /// of a stream that may never end.
    pub fn drain(&mut self) -> io::Result<u64> {
        let mut b = [0u8; 1];
        match self.read(&mut b)? {
            0 => Ok(0),
            _ => Err(self.fail("data after the end of the stream".into())),
        }
    }
}

impl<R: Read> Read for StreamReader<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            let at = self.pkt.offset();
            match self.pkt.read() {
                Err(e) => return Err(self.fail(e.to_string())),
                Ok(None) => {
                    return Err(self.fail(format!(
                        "the remote hung up at byte {at}, in the middle of a stream"
                    )))
                }
                Ok(Some(Packet::Flush)) => self.done = true,
                Ok(Some(Packet::Data(p))) if !self.sideband => {
                    self.buf = p;
                    self.pos = 0;
                }
                Ok(Some(Packet::Data(p))) => match demux(&p, at) {
                    Err(e) => return Err(self.fail(e.to_string())),
                    Ok(Band::Data(d)) => {
                        let d = d.to_vec();
                        self.buf = d;
                        self.pos = 0;
                    }
                    Ok(Band::Progress(d)) => (self.progress)(d),
                    Ok(Band::Error(m)) => {
                        let m = String::from_utf8_lossy(strip_lf(m)).into_owned();
                        return Err(self.fail(format!("remote error: {m}")));
                    }
                },
                Ok(Some(other)) => {
                    return Err(self.fail(format!("unexpected {other:?} packet at byte {at}")))
                }
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> Result<Vec<Packet>, PktError> {
        let mut r = PktReader::new(bytes);
        let mut out = Vec::new();
        while let Some(p) = r.read()? {
            out.push(p);
        }
        Ok(out)
    }

    #[test]
    fn round_trip() {
        let ps = vec![
            Packet::text("version 1"),
            Packet::Delim,
            Packet::Data(vec![0, 1, 2]),
            Packet::Flush,
            Packet::ResponseEnd,
            Packet::Data(vec![7; MAX_PAYLOAD]),
        ];
        let mut w = PktWriter::new(Vec::new());
        for p in &ps {
            w.write(p).unwrap();
        }
        assert_eq!(w.offset() as usize, w.get_mut().len());
        let bytes = w.into_inner();
        assert_eq!(&bytes[..14], b"000eversion 1\n");
        assert_eq!(read_all(&bytes).unwrap(), ps);
    }

    #[test]
    fn writer_refuses_empty_and_oversized() {
        assert!(matches!(
            encode(&Packet::Data(vec![])),
            Err(PktError::EmptyData)
        ));
        assert!(matches!(
            encode(&Packet::Data(vec![0; MAX_PAYLOAD + 1])),
            Err(PktError::TooLarge(_))
        ));
    }

    #[test]
    fn reader_errors_name_offset() {
        let e = read_all(b"0006ab000Gxx").unwrap_err();
        assert_eq!((e.kind(), e.offset()), ("bad-length", Some(6)));
        assert!(e.to_string().contains("byte 6"), "{e}");
        let e = read_all(b"0000fff1").unwrap_err();
        assert_eq!((e.kind(), e.offset()), ("oversized", Some(4)));
        let e = read_all(b"00").unwrap_err();
        assert_eq!(e.kind(), "truncated-header");
        let e = read_all(b"0008abc").unwrap_err();
        assert_eq!(e.kind(), "truncated-payload");
        assert_eq!(read_all(b"0004").unwrap_err().kind(), "reserved-length");
    }

    #[test]
    fn text_lines_lose_one_lf() {
        assert_eq!(Packet::text("done").as_line(), Some(&b"done"[..]));
        assert_eq!(Packet::Data(b"x".to_vec()).as_line(), Some(&b"x"[..]));
        assert_eq!(Packet::Data(b"x\n\n".to_vec()).as_line(), Some(&b"x\n"[..]));
        assert_eq!(Packet::Flush.as_line(), None);
    }

    #[test]
    fn sideband_splits_and_demultiplexes() {
        let big: Vec<u8> = (0..(MAX_SIDEBAND_DATA * 2 + 10)).map(|i| i as u8).collect();
        let mut w = PktWriter::new(Vec::new());
        w.sideband(2, b"Counting\r").unwrap();
        w.sideband(1, &big).unwrap();
        w.sideband(2, b"done\n").unwrap();
        w.flush_pkt().unwrap();
        let bytes = w.into_inner();
        assert_eq!(read_all(&bytes).unwrap().len(), 6);
        let mut r = PktReader::new(&bytes[..]);
        let mut data = Vec::new();
        let mut prog = Vec::new();
        r.read_sideband(&mut data, &mut |p| prog.extend_from_slice(p))
            .unwrap();
        assert_eq!(data, big);
        assert_eq!(prog, b"Counting\rdone\n");
        assert_eq!(r.offset() as usize, bytes.len());
    }

    #[test]
    fn sideband_error_and_truncation() {
        let mut w = PktWriter::new(Vec::new());
        w.sideband(1, b"PACK").unwrap();
        w.sideband(3, b"out of space\n").unwrap();
        let bytes = w.into_inner();
        let mut sink = Vec::new();
        let e = PktReader::new(&bytes[..])
            .read_sideband(&mut sink, &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(&e, SidebandEnd::Remote(m) if m == "out of space"),
            "{e}"
        );
        // Without the flush: truncated after the data.
        let e = PktReader::new(&bytes[..9])
            .read_sideband(&mut sink, &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(&e, SidebandEnd::Pkt(p) if p.kind() == "truncated-header" && p.offset() == Some(9)),
            "{e}"
        );
        let e = PktReader::new(&b"0006\x04x0000"[..])
            .read_sideband(&mut sink, &mut |_| {})
            .unwrap_err();
        assert!(
            matches!(&e, SidebandEnd::Pkt(p) if p.kind() == "bad-channel"),
            "{e}"
        );
        assert!(PktWriter::new(Vec::new()).sideband(4, b"x").is_err());
    }
}
