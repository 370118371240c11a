//! Parquet: reading activity (string, integer or date columns), writing priced rows, and
//! converting an activity CSV to Parquet.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_array::array::{Array, ArrayRef, Int64Array, StringArray};
use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::AnalyticsError;
use crate::activity::COLUMNS;

const BATCH_ROWS: usize = 64 * 1024;

fn parquet_error(path: &Path, error: impl std::fmt::Display) -> AnalyticsError {
    AnalyticsError::Data { file: path.to_owned(), line: 0, message: format!("reading Parquet: {error}") }
}

/// Rows in a Parquet file, from its footer.
pub fn row_count(path: &Path) -> Result<u64, AnalyticsError> {
    let file = File::open(path).map_err(|source| AnalyticsError::Io { file: path.to_owned(), source })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| parquet_error(path, e))?;
    Ok(builder.metadata().file_metadata().num_rows() as u64)
}

pub(crate) fn open_batches(path: &Path) -> Result<ParquetRecordBatchReader, AnalyticsError> {
    let file = File::open(path).map_err(|source| AnalyticsError::Io { file: path.to_owned(), source })?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|builder| builder.with_batch_size(BATCH_ROWS).build())
        .map_err(|e| parquet_error(path, e))
}

/// Positions of the engine's columns in a Parquet schema.
pub(crate) fn column_positions(path: &Path, schema: &Schema) -> Result<[usize; 12], AnalyticsError> {
    let mut positions = [0usize; 12];
    for (idx, column) in COLUMNS.iter().enumerate() {
        positions[idx] = schema.index_of(column).map_err(|_| AnalyticsError::Data {
            file: path.to_owned(),
            line: 0,
            message: format!("missing column '{column}'"),
        })?;
    }
    Ok(positions)
}

/// One column of a batch, readable as bytes whatever its type.
enum Column<'a> {
    Text(&'a StringArray),
    Owned(Vec<String>),
}

/// The engine's twelve columns of a batch.
pub(crate) struct ParquetColumns<'a> {
    columns: Vec<Column<'a>>,
}

impl<'a> ParquetColumns<'a> {
    pub(crate) fn new(batch: &'a RecordBatch, positions: &[usize; 12]) -> ParquetColumns<'a> {
        let columns = positions.iter().map(|&position| column(batch.column(position))).collect();
        ParquetColumns { columns }
    }

    pub(crate) fn row(&self, idx: usize) -> [&[u8]; 12] {
        std::array::from_fn(|slot| match &self.columns[slot] {
            Column::Text(array) => {
                if array.is_null(idx) {
                    b"".as_slice()
                } else {
                    array.value(idx).as_bytes()
                }
            }
            Column::Owned(values) => values[idx].as_bytes(),
        })
    }
}

fn column(array: &ArrayRef) -> Column<'_> {
    fn format<T: std::fmt::Display>(array: &ArrayRef, value: impl Fn(usize) -> T) -> Column<'_> {
        Column::Owned(
            (0..array.len()).map(|i| if array.is_null(i) { String::new() } else { value(i).to_string() }).collect(),
        )
    }
    match array.data_type() {
        DataType::Utf8 => Column::Text(array.as_string::<i32>()),
        DataType::LargeUtf8 => {
            let values = array.as_string::<i64>();
            format(array, |i| values.value(i).to_owned())
        }
        DataType::Utf8View => {
            let values = array.as_string_view();
            format(array, |i| values.value(i).to_owned())
        }
        DataType::Int8 => format(array, |i| array.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => format(array, |i| array.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => format(array, |i| array.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => format(array, |i| array.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => format(array, |i| array.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => format(array, |i| array.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => format(array, |i| array.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => format(array, |i| array.as_primitive::<UInt64Type>().value(i)),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>();
            format(array, |i| date32(days.value(i)))
        }
        // Anything else cannot hold a valid value of the layout: read as empty (invalid).
        _ => Column::Owned(vec![String::new(); array.len()]),
    }
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian).
fn date32(days: i32) -> String {
    // Howard Hinnant's civil-from-days algorithm.
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The schema of priced rows: the activity columns as text, the month and the price.
pub fn priced_schema() -> SchemaRef {
    let mut fields: Vec<Field> = COLUMNS.iter().map(|name| Field::new(*name, DataType::Utf8, false)).collect();
    fields.push(Field::new("month", DataType::Utf8, false));
    fields.push(Field::new("price_pence", DataType::Int64, false));
    Arc::new(Schema::new(fields))
}

/// Builds a batch of priced rows.
#[derive(Default)]
pub(crate) struct PricedBatchBuilder {
    columns: Vec<StringBuilder>,
    month: StringBuilder,
    price: Int64Builder,
    rows: Vec<usize>,
}

impl PricedBatchBuilder {
    pub(crate) fn push(&mut self, fields: &[&[u8]; 12], year: u16, month: u8, pence: i64, row_idx: usize) {
        if self.columns.is_empty() {
            self.columns = (0..12).map(|_| StringBuilder::new()).collect();
        }
        for (builder, field) in self.columns.iter_mut().zip(fields) {
            builder.append_value(String::from_utf8_lossy(field));
        }
        self.month.append_value(format!("{year:04}-{month:02}"));
        self.price.append_value(pence);
        self.rows.push(row_idx);
    }

    pub(crate) fn finish(mut self) -> Result<(RecordBatch, Vec<usize>), AnalyticsError> {
        if self.columns.is_empty() {
            self.columns = (0..12).map(|_| StringBuilder::new()).collect();
        }
        let mut arrays: Vec<ArrayRef> = self.columns.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
        arrays.push(Arc::new(self.month.finish()));
        arrays.push(Arc::new(self.price.finish()));
        let batch =
            RecordBatch::try_new(priced_schema(), arrays).map_err(|e| AnalyticsError::Internal(e.to_string()))?;
        Ok((batch, self.rows))
    }
}

/// A copy of a priced batch without the rows at `drop` (sorted positions).
pub(crate) fn without_rows(batch: &RecordBatch, drop: &[usize]) -> Result<RecordBatch, AnalyticsError> {
    let keep: Vec<usize> = (0..batch.num_rows()).filter(|idx| drop.binary_search(idx).is_err()).collect();
    let arrays: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .map(|array| -> ArrayRef {
            match array.data_type() {
                DataType::Int64 => {
                    let values = array.as_primitive::<Int64Type>();
                    Arc::new(keep.iter().map(|&i| values.value(i)).collect::<Int64Array>())
                }
                _ => {
                    let values = array.as_string::<i32>();
                    Arc::new(keep.iter().map(|&i| Some(values.value(i))).collect::<StringArray>())
                }
            }
        })
        .collect();
    RecordBatch::try_new(batch.schema(), arrays).map_err(|e| AnalyticsError::Internal(e.to_string()))
}

/// Writes batches to a Parquet file (Snappy), through a temporary file renamed at the end so
/// a failure never leaves a half-written file under the final name.
pub struct ParquetFileWriter {
    path: std::path::PathBuf,
    partial: std::path::PathBuf,
    writer: ArrowWriter<File>,
}

impl ParquetFileWriter {
    pub fn create(path: &Path, schema: SchemaRef) -> Result<ParquetFileWriter, AnalyticsError> {
        let partial = path.with_extension("parquet.partial");
        let file = File::create(&partial).map_err(|source| AnalyticsError::Io { file: partial.clone(), source })?;
        let properties = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let writer = ArrowWriter::try_new(file, schema, Some(properties))
            .map_err(|e| AnalyticsError::Internal(e.to_string()))?;
        Ok(ParquetFileWriter { path: path.to_owned(), partial, writer })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), AnalyticsError> {
        self.writer.write(batch).map_err(|e| AnalyticsError::Internal(format!("writing {}: {e}", self.path.display())))
    }

    pub fn finish(self) -> Result<(), AnalyticsError> {
        self.writer.close().map_err(|e| AnalyticsError::Internal(format!("writing {}: {e}", self.path.display())))?;
        std::fs::rename(&self.partial, &self.path)
            .map_err(|source| AnalyticsError::Io { file: self.path.clone(), source })
    }
}

/// Converts an activity CSV (the twelve columns, any order, extra columns dropped) to Parquet
/// with every column as text, so that even invalid values survive for validation.
pub fn csv_to_parquet(input: &Path, output: &Path, progress: &dyn Fn(u64)) -> Result<u64, AnalyticsError> {
    use std::io::BufRead;
    let io = |source| AnalyticsError::Io { file: input.to_owned(), source };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, File::open(input).map_err(io)?);
    let mut header = String::new();
    reader.read_line(&mut header).map_err(io)?;
    let names: Vec<String> =
        header.trim_start_matches('\u{feff}').trim_end().split(',').map(|s| s.trim().to_owned()).collect();
    let mut positions = [0usize; 12];
    for (idx, column) in COLUMNS.iter().enumerate() {
        positions[idx] = names.iter().position(|n| n == column).ok_or_else(|| AnalyticsError::Data {
            file: input.to_owned(),
            line: 1,
            message: format!("missing column '{column}'"),
        })?;
    }
    let schema =
        Arc::new(Schema::new(COLUMNS.iter().map(|name| Field::new(*name, DataType::Utf8, false)).collect::<Vec<_>>()));
    let mut writer = ParquetFileWriter::create(output, Arc::clone(&schema))?;
    let mut builders: Vec<StringBuilder> = (0..12).map(|_| StringBuilder::new()).collect();
    let mut n_rows = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
            break;
        }
        let mut text: &[u8] = &line;
        while matches!(text.last(), Some(b'\n' | b'\r')) {
            text = &text[..text.len() - 1];
        }
        if text.is_empty() {
            continue;
        }
        let mut buffer: Vec<&[u8]> = Vec::with_capacity(16);
        let fields = crate::engine::split_fields(text, &positions, &mut buffer);
        for (builder, field) in builders.iter_mut().zip(fields) {
            builder.append_value(String::from_utf8_lossy(field));
        }
        n_rows += 1;
        if n_rows.is_multiple_of(BATCH_ROWS as u64) {
            flush(&mut builders, &schema, &mut writer)?;
            progress(n_rows);
        }
    }
    flush(&mut builders, &schema, &mut writer)?;
    writer.finish()?;
    Ok(n_rows)
}

fn flush(
    builders: &mut [StringBuilder],
    schema: &SchemaRef,
    writer: &mut ParquetFileWriter,
) -> Result<(), AnalyticsError> {
    let arrays: Vec<ArrayRef> = builders.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
    if arrays[0].is_empty() {
        return Ok(());
    }
    let batch =
        RecordBatch::try_new(Arc::clone(schema), arrays).map_err(|e| AnalyticsError::Internal(e.to_string()))?;
    writer.write(&batch)
}

#[cfg(test)]
mod tests {
    use super::date32;

    #[test]
    fn dates_from_days() {
        assert_eq!(date32(0), "1970-01-01");
        assert_eq!(date32(20_179), "2025-04-01");
        assert_eq!(date32(19_782), "2024-02-29");
        assert_eq!(date32(-1), "1969-12-31");
    }
}
