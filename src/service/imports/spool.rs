//! An import's body, received whole before the import's transaction opens (issue 18): the only writer of SQLite
//! is never held while a slow client sends its rows, so other writes go on meanwhile. Up to `IN_MEMORY` bytes
//! stay in memory; a larger body goes on to an anonymous temporary file, removed when it is dropped.

use std::fs::File;
use std::io::{BufReader, BufWriter, Cursor, Read, Seek, SeekFrom, Write};

/// Bytes kept in memory before the body moves to a temporary file (an import holds up to 64 MiB).
const IN_MEMORY: usize = 8 << 20;

/// A received body, read back from the start.
pub enum Spooled {
    Memory(Cursor<Vec<u8>>),
    File(BufReader<File>),
}

impl Read for Spooled {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Spooled::Memory(bytes) => bytes.read(buf),
            Spooled::File(file) => file.read(buf),
        }
    }
}

/// Reads `input` to its end (a blocking reader: run it on a blocking thread), telling `arrived` how many lines
/// and bytes have come so far, for the progress a client follows while it uploads. Returns the body and its
/// lines (a last line without a newline counts).
pub fn receive(
    mut input: impl Read,
    mut arrived: impl FnMut(u64, u64),
) -> std::io::Result<(Spooled, u64)> {
    let mut memory = Vec::new();
    let mut file: Option<BufWriter<File>> = None;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut lines = 0u64;
    let mut bytes = 0u64;
    let mut open_line = false;
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buffer[..n];
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        bytes += n as u64;
        open_line = chunk.last() != Some(&b'\n');
        arrived(lines, bytes);
        match &mut file {
            Some(file) => file.write_all(chunk)?,
            None => {
                memory.extend_from_slice(chunk);
                if memory.len() > IN_MEMORY {
                    let mut spill = BufWriter::new(tempfile::tempfile()?);
                    spill.write_all(&std::mem::take(&mut memory))?;
                    file = Some(spill);
                }
            }
        }
    }
    let lines = lines + u64::from(open_line);
    match file {
        None => Ok((Spooled::Memory(Cursor::new(memory)), lines)),
        Some(file) => {
            let mut file = file.into_inner().map_err(|e| e.into_error())?;
            file.seek(SeekFrom::Start(0))?;
            Ok((Spooled::File(BufReader::new(file)), lines))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_body_goes_to_a_file_and_reads_back_whole() {
        let body: Vec<u8> = (0..IN_MEMORY as u32 / 4 + 1000)
            .flat_map(|n| format!("{n:03}\n").into_bytes())
            .collect();
        let mut seen = (0, 0);
        let (mut spooled, lines) = receive(Cursor::new(body.clone()), |lines, bytes| {
            seen = (lines, bytes)
        })
        .unwrap();
        assert!(matches!(spooled, Spooled::File(_)));
        assert_eq!(seen, (IN_MEMORY as u64 / 4 + 1000, body.len() as u64));
        assert_eq!(lines, seen.0);
        let mut back = Vec::new();
        spooled.read_to_end(&mut back).unwrap();
        assert_eq!(back, body);
        let (small, lines) = receive(Cursor::new(b"a\nb\n".to_vec()), |_, _| {}).unwrap();
        assert!(matches!(small, Spooled::Memory(_)));
        assert_eq!(lines, 2);
        let (_, unterminated) = receive(Cursor::new(b"a\nb".to_vec()), |_, _| {}).unwrap();
        assert_eq!(unterminated, 2, "a last line without a newline counts");
    }
}
