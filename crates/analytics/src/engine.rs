//! The monitoring engine: validates, de-duplicates, prices and aggregates patient-level
//! activity from CSV or Parquet files, streaming, on all cores.
//!
//! ```text
//!  reader ──blocks──▶ workers (parse, rules 1 and 3–5, price, partial sums) ──▶ sequencer
//!  (one thread)        (N threads, any order)                                 (input order:
//!                                                                              duplicates,
//!                                                                              challenges, totals)
//! ```
//!
//! Only the duplicate rule needs every earlier row, so only it runs in order: the sequencer
//! keeps a set of 128-bit hashes (xxh3) of `provider_code` + `record_id` and walks each
//! block's rows in input order. Workers sum their priced rows per (provider, point of
//! delivery, month); the sequencer takes out the few rows that turn out to be duplicates.
//! Memory is bounded by the blocks in flight plus the hash set (16 bytes per distinct key).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use arrow_array::{RecordBatch, RecordBatchReader};

use crate::AnalyticsError;
use crate::activity::COLUMNS;
use crate::parquet_io::{ParquetColumns, PricedBatchBuilder};
use crate::pricing::{MffTable, Tariff};
use crate::rules::{Checks, PODS, Reason, Tentative, col, tentative};

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub checks: Checks,
    /// Worker threads (the reader and sequencer have their own).
    pub threads: usize,
    /// Size of a CSV block read at a time.
    pub block_bytes: usize,
    /// Build priced rows as Arrow batches for [`Sink::priced`].
    pub want_priced: bool,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            checks: Checks::default(),
            threads: std::thread::available_parallelism().map(usize::from).unwrap_or(2),
            block_bytes: 4 << 20,
            want_priced: false,
        }
    }
}

/// One challenged row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge<'a> {
    pub file_idx: usize,
    pub record_id: &'a [u8],
    pub provider_code: &'a [u8],
    pub reason: Reason,
    /// 1-based data line in its file (the header is not counted); for Parquet, the 1-based
    /// row number.
    pub line: u64,
}

/// Receives what the engine finds, in input order.
pub trait Sink {
    fn challenge(&mut self, challenge: &Challenge<'_>) -> Result<(), AnalyticsError>;
    /// A batch of valid, priced rows (only when `RunOptions::want_priced`).
    fn priced(&mut self, _batch: &RecordBatch) -> Result<(), AnalyticsError> {
        Ok(())
    }
}

/// Activity, value and bed days for one provider, point of delivery and month.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SummaryRow {
    pub provider_code: String,
    pub pod: &'static str,
    /// `YYYY-MM`.
    pub month: String,
    pub activity: u64,
    pub value_pence: i64,
    pub los_days: u64,
}

/// What a run found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    pub n_rows: u64,
    pub n_valid: u64,
    /// Challenges by reason, in [`Reason::ALL`] order.
    pub n_challenged: [u64; 5],
    pub total_pence: i128,
    /// Sorted by provider code, point of delivery, month.
    pub summary: Vec<SummaryRow>,
}

impl RunReport {
    pub fn challenged(&self, reason: Reason) -> u64 {
        self.n_challenged[Reason::ALL.iter().position(|r| *r == reason).expect("known reason")]
    }

    /// The summary as the CSV of the interface: `provider_code,pod,month,activity,value,los_days`.
    pub fn summary_csv(&self) -> String {
        let mut out = String::from("provider_code,pod,month,activity,value,los_days\n");
        for row in &self.summary {
            out.push_str(&format!(
                "{},{},{},{},{},{}\n",
                row.provider_code,
                row.pod,
                row.month,
                row.activity,
                crate::pricing::pounds(i128::from(row.value_pence)),
                row.los_days
            ));
        }
        out
    }
}

/// Whether a path is read as Parquet (by its extension) rather than CSV.
pub fn is_parquet(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Runs the engine over `inputs` in order.
pub fn run(
    inputs: &[PathBuf],
    tariff: &Tariff,
    mff: &MffTable,
    options: &RunOptions,
    sink: &mut dyn Sink,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<RunReport, AnalyticsError> {
    let total_bytes: u64 = inputs.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let expected_rows = estimate_rows(inputs)?;
    let threads = options.threads.max(1);
    let (work_tx, work_rx) = sync_channel::<Work>(threads * 2);
    let (done_tx, done_rx) = sync_channel::<Result<Processed, AnalyticsError>>(threads * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_inputs(inputs, options.block_bytes, &work_tx, total_bytes, progress));
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || worker(&work_rx, &done_tx, tariff, mff, options));
        }
        drop(done_tx);
        let sequenced = sequence(done_rx, sink, expected_rows);
        let read = reader.join().expect("reader thread");
        // A reader error (missing column, unreadable file) explains a short run best.
        read?;
        sequenced
    })
}

/// Rows expected, to size the duplicate set once (Parquet knows; CSV is estimated).
fn estimate_rows(inputs: &[PathBuf]) -> Result<usize, AnalyticsError> {
    let mut rows = 0usize;
    for path in inputs {
        rows += if is_parquet(path) {
            crate::parquet_io::row_count(path)? as usize
        } else {
            std::fs::metadata(path).map(|m| m.len() as usize / 80).unwrap_or(0)
        };
    }
    Ok(rows)
}

/// A unit of work: a block of CSV lines or a batch of Parquet rows.
enum Work {
    Csv { seq: u64, file_idx: usize, first_line: u64, data: Vec<u8>, columns: Arc<[usize; 12]> },
    Parquet { seq: u64, file_idx: usize, first_row: u64, batch: RecordBatch, columns: Arc<[usize; 12]> },
}

impl Work {
    fn seq(&self) -> u64 {
        match self {
            Work::Csv { seq, .. } | Work::Parquet { seq, .. } => *seq,
        }
    }
}

/// A processed unit: its rows' outcomes and the partial sums of its priced rows.
struct Processed {
    work: Work,
    rows: Vec<RowResult>,
    sums: HashMap<GroupKey, Sums>,
    /// Priced rows as a batch, with each batch row's index among `rows`.
    priced: Option<(RecordBatch, Vec<usize>)>,
}

struct RowResult {
    key: u128,
    tentative: Tentative,
    /// The row's position: byte range of its line (CSV) or row index (Parquet).
    start: u32,
    end: u32,
    /// 1-based data line (CSV) or row number (Parquet) in its file.
    line: u64,
    group: GroupKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct GroupKey {
    provider: [u8; 16],
    provider_len: u8,
    pod_idx: u8,
    year: u16,
    month: u8,
}

impl GroupKey {
    fn provider(&self) -> &[u8] {
        &self.provider[..usize::from(self.provider_len)]
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    activity: u64,
    value_pence: i64,
    los_days: u64,
}

fn read_inputs(
    inputs: &[PathBuf],
    block_bytes: usize,
    work_tx: &SyncSender<Work>,
    total_bytes: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(), AnalyticsError> {
    let mut seq = 0;
    let mut done_bytes = 0u64;
    for (file_idx, path) in inputs.iter().enumerate() {
        if is_parquet(path) {
            let file_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let reader = crate::parquet_io::open_batches(path)?;
            let columns = Arc::new(crate::parquet_io::column_positions(path, reader.schema().as_ref())?);
            let mut first_row = 0u64;
            for batch in reader {
                let batch = batch.map_err(|e| AnalyticsError::Data {
                    file: path.clone(),
                    line: first_row + 1,
                    message: format!("reading Parquet: {e}"),
                })?;
                let n = batch.num_rows() as u64;
                if work_tx
                    .send(Work::Parquet { seq, file_idx, first_row, batch, columns: Arc::clone(&columns) })
                    .is_err()
                {
                    return Ok(());
                }
                seq += 1;
                first_row += n;
            }
            done_bytes += file_bytes;
            progress(done_bytes, total_bytes);
            continue;
        }
        let io = |source| AnalyticsError::Io { file: path.clone(), source };
        let mut file = File::open(path).map_err(io)?;
        let mut carry: Vec<u8> = Vec::new();
        let mut columns: Option<Arc<[usize; 12]>> = None;
        let mut data_lines_before = 0u64; // Data lines (after the header) already sent.
        loop {
            let mut data = std::mem::take(&mut carry);
            let start = data.len();
            data.resize(start + block_bytes, 0);
            let n = read_full(&mut file, &mut data[start..]).map_err(io)?;
            data.truncate(start + n);
            done_bytes += n as u64;
            let at_end = n == 0;
            if data.is_empty() {
                break;
            }
            // Keep any partial last line for the next block.
            let cut = if at_end { data.len() } else { memchr::memrchr(b'\n', &data).map(|p| p + 1).unwrap_or(0) };
            if cut == 0 && !at_end {
                carry = data;
                continue;
            }
            carry = data.split_off(cut);
            if columns.is_none() {
                let header_end = memchr::memchr(b'\n', &data).map(|p| p + 1).unwrap_or(data.len());
                columns = Some(Arc::new(csv_header(path, &data[..header_end])?));
                data.drain(..header_end);
            }
            let n_lines = memchr::memchr_iter(b'\n', &data).count() as u64
                + u64::from(!data.ends_with(b"\n") && !data.is_empty());
            // Workers number the block's lines from `first_line + 1`.
            let first_line = data_lines_before;
            data_lines_before += n_lines;
            let columns = Arc::clone(columns.as_ref().expect("header read"));
            if work_tx.send(Work::Csv { seq, file_idx, first_line, data, columns }).is_err() {
                return Ok(());
            }
            seq += 1;
            progress(done_bytes, total_bytes);
            if at_end {
                break;
            }
        }
        if columns.is_none() {
            return Err(AnalyticsError::Data {
                file: path.clone(),
                line: 1,
                message: "the file is empty: a header row is needed".into(),
            });
        }
    }
    Ok(())
}

fn read_full(file: &mut File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Maps the file's header to the engine's column order.
fn csv_header(path: &Path, line: &[u8]) -> Result<[usize; 12], AnalyticsError> {
    let text = String::from_utf8_lossy(line);
    let names: Vec<&str> =
        text.trim_start_matches('\u{feff}').trim_end_matches(['\n', '\r']).split(',').map(str::trim).collect();
    let mut positions = [0usize; 12];
    for (idx, column) in COLUMNS.iter().enumerate() {
        positions[idx] = names.iter().position(|n| n == column).ok_or_else(|| AnalyticsError::Data {
            file: path.to_owned(),
            line: 1,
            message: format!("missing column '{column}' (found: {})", names.join(", ")),
        })?;
    }
    Ok(positions)
}

fn worker(
    work_rx: &Mutex<Receiver<Work>>,
    done_tx: &SyncSender<Result<Processed, AnalyticsError>>,
    tariff: &Tariff,
    mff: &MffTable,
    options: &RunOptions,
) {
    loop {
        let work = match work_rx.lock().expect("work queue").recv() {
            Ok(work) => work,
            Err(_) => return,
        };
        let processed = process(work, tariff, mff, options);
        if done_tx.send(processed).is_err() {
            return;
        }
    }
}

fn process(work: Work, tariff: &Tariff, mff: &MffTable, options: &RunOptions) -> Result<Processed, AnalyticsError> {
    let mut rows = Vec::new();
    let mut sums: HashMap<GroupKey, Sums> = HashMap::new();
    let mut priced = options.want_priced.then(PricedBatchBuilder::default);
    let mut key_buffer = Vec::with_capacity(64);
    let mut visit = |fields: &[&[u8]; 12], start: u32, end: u32, line: u64| {
        let tentative = tentative(fields, &options.checks, tariff, mff);
        key_buffer.clear();
        key_buffer.extend_from_slice(fields[col::PROVIDER]);
        key_buffer.push(0x1f);
        key_buffer.extend_from_slice(fields[col::RECORD_ID]);
        let key = xxhash_rust::xxh3::xxh3_128(&key_buffer);
        let mut group = GroupKey { provider: [0; 16], provider_len: 0, pod_idx: 0, year: 0, month: 0 };
        if let Tentative::Priced { pence, pod_idx, year, month, los } = tentative {
            let provider = fields[col::PROVIDER];
            let len = provider.len().min(16);
            group.provider[..len].copy_from_slice(&provider[..len]);
            group.provider_len = len as u8;
            group.pod_idx = pod_idx;
            group.year = year;
            group.month = month;
            let entry = sums.entry(group).or_default();
            entry.activity += 1;
            entry.value_pence += pence;
            entry.los_days += u64::from(los);
            if let Some(builder) = priced.as_mut() {
                builder.push(fields, year, month, pence, rows.len());
            }
        }
        rows.push(RowResult { key, tentative, start, end, line, group });
    };
    match &work {
        Work::Csv { data, first_line, columns, .. } => {
            let mut fields_buffer: Vec<&[u8]> = Vec::with_capacity(16);
            let mut offset = 0usize;
            let mut line = *first_line;
            while offset < data.len() {
                let end = memchr::memchr(b'\n', &data[offset..]).map(|p| offset + p).unwrap_or(data.len());
                line += 1;
                let mut text = &data[offset..end];
                if text.last() == Some(&b'\r') {
                    text = &text[..text.len() - 1];
                }
                if !text.is_empty() {
                    let fields = split_line(text, columns, &mut fields_buffer);
                    visit(&fields, offset as u32, end as u32, line);
                }
                offset = end + 1;
            }
        }
        Work::Parquet { batch, first_row, columns, file_idx: _, .. } => {
            let strings = ParquetColumns::new(batch, columns);
            for idx in 0..batch.num_rows() {
                let fields = strings.row(idx);
                visit(&fields, idx as u32, idx as u32, first_row + idx as u64 + 1);
            }
        }
    }
    let priced = match priced {
        Some(builder) => Some(builder.finish()?),
        None => None,
    };
    Ok(Processed { work, rows, sums, priced })
}

/// Splits one CSV line into the engine's twelve fields (for the converter).
pub(crate) fn split_fields<'a>(text: &'a [u8], columns: &[usize; 12], buffer: &mut Vec<&'a [u8]>) -> [&'a [u8]; 12] {
    split_line(text, columns, buffer)
}

/// Splits one CSV line into the engine's twelve fields. Lines with quotes take the careful
/// path; a line with too few fields yields empty fields (and so fails validation).
fn split_line<'a>(text: &'a [u8], columns: &[usize; 12], buffer: &mut Vec<&'a [u8]>) -> [&'a [u8]; 12] {
    buffer.clear();
    if memchr::memchr(b'"', text).is_none() {
        buffer.extend(text.split(|b| *b == b','));
        let mut fields: [&[u8]; 12] = [b""; 12];
        for (idx, position) in columns.iter().enumerate() {
            fields[idx] = buffer.get(*position).copied().unwrap_or(b"");
        }
        return fields;
    }
    quoted_fields(text, columns)
}

/// RFC 4180 quoted fields. Quotes are removed; a doubled quote inside a field is kept as
/// written (activity codes never contain quotes, so this only has to not break the row).
fn quoted_fields<'a>(text: &'a [u8], columns: &[usize; 12]) -> [&'a [u8]; 12] {
    let mut spans: Vec<&'a [u8]> = Vec::new();
    let mut idx = 0;
    while idx <= text.len() {
        if text.get(idx) == Some(&b'"') {
            let start = idx + 1;
            let mut end = start;
            while end < text.len() {
                if text[end] == b'"' {
                    if text.get(end + 1) == Some(&b'"') {
                        end += 2;
                        continue;
                    }
                    break;
                }
                end += 1;
            }
            spans.push(&text[start..end.min(text.len())]);
            idx = memchr::memchr(b',', &text[end.min(text.len())..]).map(|p| end + p + 1).unwrap_or(text.len() + 1);
        } else {
            let end = memchr::memchr(b',', &text[idx..]).map(|p| idx + p).unwrap_or(text.len());
            spans.push(&text[idx..end]);
            idx = end + 1;
        }
    }
    let mut fields: [&[u8]; 12] = [b""; 12];
    for (slot, position) in columns.iter().enumerate() {
        fields[slot] = spans.get(*position).copied().unwrap_or(b"");
    }
    fields
}

/// An identity hasher for keys that are already uniform hashes.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }
    fn write_u128(&mut self, value: u128) {
        self.0 = value as u64;
    }
}

fn sequence(
    done_rx: Receiver<Result<Processed, AnalyticsError>>,
    sink: &mut dyn Sink,
    expected_rows: usize,
) -> Result<RunReport, AnalyticsError> {
    let mut seen: HashSet<u128, BuildHasherDefault<KeyHasher>> =
        HashSet::with_capacity_and_hasher(expected_rows, Default::default());
    let mut pending: BTreeMap<u64, Processed> = BTreeMap::new();
    let mut next = 0u64;
    let mut report = RunReport::default();
    let mut totals: HashMap<GroupKey, Sums> = HashMap::new();
    let mut first_error: Option<AnalyticsError> = None;
    for processed in done_rx {
        let processed = match processed {
            Ok(processed) => processed,
            Err(error) => {
                first_error.get_or_insert(error);
                continue;
            }
        };
        if first_error.is_some() {
            continue;
        }
        pending.insert(processed.work.seq(), processed);
        while let Some(mut processed) = pending.remove(&next) {
            next += 1;
            if let Err(error) = sequence_unit(&mut processed, &mut seen, &mut report, &mut totals, sink) {
                first_error = Some(error);
                break;
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    let mut summary: Vec<SummaryRow> = totals
        .into_iter()
        .filter(|(_, sums)| sums.activity > 0)
        .map(|(group, sums)| SummaryRow {
            provider_code: String::from_utf8_lossy(group.provider()).into_owned(),
            pod: PODS[usize::from(group.pod_idx)],
            month: format!("{:04}-{:02}", group.year, group.month),
            activity: sums.activity,
            value_pence: sums.value_pence,
            los_days: sums.los_days,
        })
        .collect();
    summary.sort_by(|a, b| {
        (a.provider_code.as_bytes(), a.pod, &a.month).cmp(&(b.provider_code.as_bytes(), b.pod, &b.month))
    });
    report.n_valid = summary.iter().map(|s| s.activity).sum();
    report.total_pence = summary.iter().map(|s| i128::from(s.value_pence)).sum();
    report.summary = summary;
    Ok(report)
}

fn sequence_unit(
    processed: &mut Processed,
    seen: &mut HashSet<u128, BuildHasherDefault<KeyHasher>>,
    report: &mut RunReport,
    totals: &mut HashMap<GroupKey, Sums>,
    sink: &mut dyn Sink,
) -> Result<(), AnalyticsError> {
    let mut duplicate_priced: Vec<usize> = Vec::new();
    for (row_idx, row) in processed.rows.iter().enumerate() {
        report.n_rows += 1;
        let first_time = seen.insert(row.key);
        let reason = match row.tentative {
            Tentative::Challenged(Reason::InvalidField) => Some(Reason::InvalidField),
            _ if !first_time => {
                if let Tentative::Priced { pence, los, .. } = row.tentative {
                    let sums = processed.sums.get_mut(&row.group).expect("the worker summed this group");
                    sums.activity -= 1;
                    sums.value_pence -= pence;
                    sums.los_days -= u64::from(los);
                    duplicate_priced.push(row_idx);
                }
                Some(Reason::DuplicateRecord)
            }
            Tentative::Challenged(reason) => Some(reason),
            Tentative::Priced { .. } => None,
        };
        if let Some(reason) = reason {
            report.n_challenged[Reason::ALL.iter().position(|r| *r == reason).expect("known reason")] += 1;
            let (record_id, provider_code, file_idx) = row_identity(&processed.work, row);
            sink.challenge(&Challenge {
                file_idx,
                record_id: &record_id,
                provider_code: &provider_code,
                reason,
                line: row.line,
            })?;
        }
    }
    for (group, sums) in processed.sums.drain() {
        let total = totals.entry(group).or_default();
        total.activity += sums.activity;
        total.value_pence += sums.value_pence;
        total.los_days += sums.los_days;
    }
    if let Some((batch, row_positions)) = processed.priced.take() {
        let batch = if duplicate_priced.is_empty() {
            batch
        } else {
            let drop: Vec<usize> =
                duplicate_priced.iter().filter_map(|row| row_positions.binary_search(row).ok()).collect();
            crate::parquet_io::without_rows(&batch, &drop)?
        };
        if batch.num_rows() > 0 {
            sink.priced(&batch)?;
        }
    }
    Ok(())
}

/// The record id and provider code of a row, for its challenge.
fn row_identity(work: &Work, row: &RowResult) -> (Vec<u8>, Vec<u8>, usize) {
    match work {
        Work::Csv { data, columns, file_idx, .. } => {
            let mut text = &data[row.start as usize..row.end as usize];
            if text.last() == Some(&b'\r') {
                text = &text[..text.len() - 1];
            }
            let mut buffer = Vec::new();
            let fields = split_line(text, columns, &mut buffer);
            (fields[col::RECORD_ID].to_vec(), fields[col::PROVIDER].to_vec(), *file_idx)
        }
        Work::Parquet { batch, columns, file_idx, .. } => {
            let strings = ParquetColumns::new(batch, columns);
            let fields = strings.row(row.start as usize);
            (fields[col::RECORD_ID].to_vec(), fields[col::PROVIDER].to_vec(), *file_idx)
        }
    }
}
