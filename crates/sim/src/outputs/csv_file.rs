//! A CSV file being written, row by row, straight into its own buffer: the bytes the `csv`
//! crate's `Writer` writes with its default settings (`,` between fields, `\n` after each
//! record, `QuoteStyle::Necessary`, quotes doubled), without its per-field state machine and
//! second buffer. A row is either a list of texts (`CsvFile::row`) or built field by field
//! (`CsvFile::record`), numbers formatted by `format` on the way. The tests compare its
//! bytes with `csv::Writer`'s on random records.

use std::io::{self, Write as _};

use des::SimTime;

use super::format::{self, Formatted};
use super::Sink;

/// The buffer is handed to the sink once it holds this much: as large as the sink's own
/// buffer (`BufWriter` passes such a write straight through, without a copy).
const FLUSH_AT: usize = 1 << 16;

/// A CSV file being written, keeping the first error for `finish` (rows cannot fail).
pub(crate) struct CsvFile {
    sink: Sink,
    buffer: Vec<u8>,
    /// A quoted field's text while it is written back quoted.
    scratch: Vec<u8>,
    /// Fields of the first record (the header); every record must have as many, as
    /// `csv::Writer` requires unless it is flexible.
    width: Option<usize>,
    error: Option<io::Error>,
}

/// Whether a field must be quoted: it holds the delimiter, the quote, or a line break
/// (`csv_core::WriterBuilder::build` with the default `\n` terminator quotes `\r` too).
/// Eight bytes at a time: a word has a byte equal to `b` when `word ^ b...b` has a zero
/// byte, which `(v - 0x01..01) & !v & 0x80..80` tells without false alarms.
fn needs_quotes(field: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |word: u64, byte: u8| {
        let v = word ^ (ONES * u64::from(byte));
        v.wrapping_sub(ONES) & !v & HIGHS != 0
    };
    let mut words = field.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        if has(word, b',') | has(word, b'"') | has(word, b'\n') | has(word, b'\r') {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&byte| matches!(byte, b',' | b'"' | b'\n' | b'\r'))
}

/// `field` in quotes, each quote in it doubled.
fn push_quoted(out: &mut Vec<u8>, field: &[u8]) {
    out.push(b'"');
    let mut rest = field;
    while let Some(quote) = rest.iter().position(|&byte| byte == b'"') {
        out.extend_from_slice(&rest[..=quote]);
        out.push(b'"');
        rest = &rest[quote + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

impl CsvFile {
    pub(crate) fn new(sink: Sink, header: &[&str]) -> io::Result<CsvFile> {
        let mut file = CsvFile {
            sink,
            buffer: Vec::with_capacity(FLUSH_AT + 4096),
            scratch: Vec::new(),
            width: None,
            error: None,
        };
        file.row(header);
        Ok(file)
    }

    /// One record of the given texts.
    pub(crate) fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.record(|row| {
            for field in fields {
                row.bytes(field.as_ref());
            }
        });
    }

    /// One record, its fields written by `fields` in order.
    pub(crate) fn record(&mut self, fields: impl FnOnce(&mut Row<'_>)) {
        let start = self.buffer.len();
        let mut row = Row {
            file: self,
            fields: 0,
        };
        fields(&mut row);
        let fields = row.fields;
        // A record with nothing in it (one empty field) is written `""`, so that it reads
        // back as a record (`csv_core::Writer::terminator`).
        if self.buffer.len() == start {
            self.buffer.extend_from_slice(b"\"\"");
        }
        self.buffer.push(b'\n');
        match self.width {
            None => self.width = Some(fields),
            Some(width) if width != fields => {
                self.error.get_or_insert(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a CSV record of {fields} fields after records of {width}"),
                ));
            }
            Some(_) => {}
        }
        if self.buffer.len() >= FLUSH_AT {
            self.flush_buffer();
        }
    }

    fn flush_buffer(&mut self) {
        if self.error.is_none() {
            if let Err(error) = self.sink.write_all(&self.buffer) {
                self.error = Some(error);
            }
        }
        self.buffer.clear();
    }

    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.flush_buffer();
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.sink.flush()
    }
}

/// Like `csv::Writer`, a file dropped without `finish` (a run ended by an error) still hands
/// its rows to the sink, as far as it can.
impl Drop for CsvFile {
    fn drop(&mut self) {
        if !self.buffer.is_empty() && self.error.is_none() {
            let _ = self.sink.write_all(&self.buffer);
            let _ = self.sink.flush();
        }
    }
}

/// A record being written: each call writes one field.
pub(crate) struct Row<'a> {
    file: &'a mut CsvFile,
    fields: usize,
}

impl Row<'_> {
    /// The delimiter before every field but the first.
    fn next_field(&mut self) -> &mut Vec<u8> {
        if self.fields > 0 {
            self.file.buffer.push(b',');
        }
        self.fields += 1;
        &mut self.file.buffer
    }

    /// A field of any bytes, quoted when it must be.
    pub(crate) fn bytes(&mut self, field: &[u8]) {
        let buffer = self.next_field();
        if needs_quotes(field) {
            push_quoted(buffer, field);
        } else {
            buffer.extend_from_slice(field);
        }
    }

    /// A field of text, quoted when it must be.
    pub(crate) fn str(&mut self, field: &str) {
        self.bytes(field.as_bytes());
    }

    /// A field of digits (with a sign or point): never quoted.
    fn number(&mut self, number: Formatted) {
        number.push_to(self.next_field());
    }

    pub(crate) fn u64(&mut self, n: u64) {
        self.number(format::u64(n));
    }

    pub(crate) fn i64(&mut self, n: i64) {
        self.number(format::i64(n));
    }

    /// Seconds with three decimals, as `SimTime` displays.
    pub(crate) fn time(&mut self, at: SimTime) {
        self.number(format::time(at));
    }

    /// A time, or an empty field for "not yet / never".
    pub(crate) fn opt_time(&mut self, at: Option<SimTime>) {
        match at {
            Some(at) => self.time(at),
            None => self.str(""),
        }
    }

    /// A task's name (`t-000042`).
    pub(crate) fn task_name(&mut self, number: u64) {
        self.number(format::task_name(number));
    }

    /// A field written in pieces by `pieces`, quoted afterwards when it must be.
    pub(crate) fn with(&mut self, pieces: impl FnOnce(&mut Field<'_>)) {
        let buffer = self.next_field();
        let start = buffer.len();
        pieces(&mut Field { buffer });
        let file = &mut *self.file;
        if needs_quotes(&file.buffer[start..]) {
            file.scratch.clear();
            file.scratch.extend_from_slice(&file.buffer[start..]);
            file.buffer.truncate(start);
            push_quoted(&mut file.buffer, &file.scratch);
        }
    }
}

/// A field being written in pieces (`Row::with`).
pub(crate) struct Field<'a> {
    buffer: &'a mut Vec<u8>,
}

impl Field<'_> {
    pub(crate) fn str(&mut self, text: &str) {
        self.buffer.extend_from_slice(text.as_bytes());
    }

    pub(crate) fn u64(&mut self, n: u64) {
        format::u64(n).push_to(self.buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::{Arc, Mutex};

    /// A sink whose bytes can be read after `finish`.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// The bytes `CsvFile` writes for `records` (the first is the header), record by record
    /// with `row`, and again with `record` and `with` for each field.
    fn ours(records: &[Vec<String>]) -> (Vec<u8>, Vec<u8>) {
        let by_row = Shared::default();
        let header: Vec<&str> = records[0].iter().map(String::as_str).collect();
        let mut file = CsvFile::new(Box::new(by_row.clone()), &header).unwrap();
        for record in &records[1..] {
            file.row(record);
        }
        file.finish().unwrap();
        let by_field = Shared::default();
        let mut file = CsvFile::new(Box::new(by_field.clone()), &header).unwrap();
        for record in &records[1..] {
            file.record(|row| {
                for (i, field) in record.iter().enumerate() {
                    if i % 2 == 0 {
                        row.str(field);
                    } else {
                        row.with(|piece| {
                            let middle = (0..=field.len() / 2)
                                .rev()
                                .find(|&i| field.is_char_boundary(i))
                                .unwrap_or(0);
                            let (a, b) = field.split_at(middle);
                            piece.str(a);
                            piece.str(b);
                        });
                    }
                }
            });
        }
        file.finish().unwrap();
        let by_row = by_row.0.lock().unwrap().clone();
        let by_field = by_field.0.lock().unwrap().clone();
        (by_row, by_field)
    }

    fn theirs(records: &[Vec<String>]) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for record in records {
            writer.write_record(record).unwrap();
        }
        writer.into_inner().unwrap()
    }

    fn records(fields: &[&[&str]]) -> Vec<Vec<String>> {
        fields
            .iter()
            .map(|record| record.iter().map(|field| field.to_string()).collect())
            .collect()
    }

    #[test]
    fn fields_are_quoted_exactly_when_the_csv_crate_quotes_them() {
        let cases: &[&[&[&str]]] = &[
            &[&["a", "b"], &["1,2", "x"], &["say \"hi\"", ""]],
            &[&["a"], &[""], &["\""], &["\r"], &["\n"], &["x y"]],
            &[&["a", "b", "c"], &["", "", ""], &["\"\"", "a\r\nb", "é,ü"]],
            &[&["time"], &["#1"], &["'quoted'"], &["\t"], &[" "]],
        ];
        for case in cases {
            let records = records(case);
            let (by_row, by_field) = ours(&records);
            let theirs = theirs(&records);
            assert_eq!(
                String::from_utf8_lossy(&by_row),
                String::from_utf8_lossy(&theirs)
            );
            assert_eq!(by_field, theirs);
        }
    }

    #[test]
    fn every_byte_at_every_position_of_a_word_is_judged_as_the_csv_crate_judges_it() {
        // A field the csv crate quotes is written starting with a quote, and one it does not
        // quote has no quote in it.
        let quoted = |field: &[u8]| {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record([field]).unwrap();
            writer.into_inner().unwrap()[0] == b'"'
        };
        for byte in 0..=255u8 {
            for len in 1..=17 {
                for at in 0..len {
                    let mut field = vec![b'a'; len];
                    field[at] = byte;
                    assert_eq!(needs_quotes(&field), quoted(&field), "{byte} {len} {at}");
                    // Neighbours that differ by one bit or one borrow.
                    field.iter_mut().for_each(|b| *b = byte.wrapping_add(1));
                    field[at] = byte;
                    assert_eq!(needs_quotes(&field), quoted(&field), "{byte} {len} {at}");
                }
            }
        }
    }

    #[test]
    fn a_lone_empty_field_is_written_as_two_quotes() {
        let (by_row, _) = ours(&records(&[&["a"], &[""], &["b"]]));
        assert_eq!(by_row, b"a\n\"\"\nb\n");
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let sink = Shared::default();
        let mut file = CsvFile::new(Box::new(sink.clone()), &["a", "b", "c", "d", "e"]).unwrap();
        file.record(|row| {
            row.time(SimTime(1_234_567));
            row.u64(42);
            row.i64(-7);
            row.opt_time(None);
            row.task_name(42);
        });
        file.finish().unwrap();
        assert_eq!(
            sink.0.lock().unwrap().as_slice(),
            b"a,b,c,d,e\n1234.567,42,-7,,t-000042\n"
        );
    }

    #[test]
    fn a_file_dropped_without_finish_hands_over_its_rows_as_csv_writer_does() {
        let records = records(&[&["a", "b"], &["1", "x,y"]]);
        let sink = Shared::default();
        let mut file = CsvFile::new(Box::new(sink.clone()), &["a", "b"]).unwrap();
        file.row(&records[1]);
        drop(file);
        let theirs = Shared::default();
        let mut writer = csv::Writer::from_writer(theirs.clone());
        for record in &records {
            writer.write_record(record).unwrap();
        }
        drop(writer);
        assert_eq!(*sink.0.lock().unwrap(), *theirs.0.lock().unwrap());
        assert_eq!(sink.0.lock().unwrap().as_slice(), b"a,b\n1,\"x,y\"\n");
    }

    #[test]
    fn a_record_of_another_width_is_an_error_at_finish() {
        let mut file = CsvFile::new(Box::new(Shared::default()), &["a", "b"]).unwrap();
        file.row(["1"]);
        let error = file.finish().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    /// Fields from the bytes that matter to quoting, and some that do not.
    fn field() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                Just(",".to_string()),
                Just("\"".to_string()),
                Just("\r".to_string()),
                Just("\n".to_string()),
                Just("\r\n".to_string()),
                Just(" ".to_string()),
                Just("#".to_string()),
                Just("'".to_string()),
                Just("\t".to_string()),
                "[a-z0-9.]{1,4}",
                any::<char>().prop_map(String::from),
            ],
            0..6,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn random_records_are_written_as_the_csv_crate_writes_them(
            (width, records) in (1usize..5).prop_flat_map(|width| {
                (Just(width), prop::collection::vec(prop::collection::vec(field(), width), 1..8))
            })
        ) {
            prop_assert!(records.iter().all(|record| record.len() == width));
            let (by_row, by_field) = ours(&records);
            let theirs = theirs(&records);
            prop_assert_eq!(&by_row, &theirs);
            prop_assert_eq!(&by_field, &theirs);
        }

        #[test]
        fn large_files_are_written_whole(rows in 1usize..4000, text in field()) {
            let records: Vec<Vec<String>> = (0..=rows)
                .map(|n| vec![n.to_string(), text.clone(), format!("{text}{n}")])
                .collect();
            let (by_row, by_field) = ours(&records);
            let theirs = theirs(&records);
            prop_assert_eq!(&by_row, &theirs);
            prop_assert_eq!(&by_field, &theirs);
        }
    }
}
