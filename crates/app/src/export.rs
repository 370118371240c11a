//! Tables of results as files: CSV text and XLSX workbooks, shared by the pages' downloads,
//! the command line and every use case that exports (needs assessments, the contract
//! register).

use crate::{AppError, Result};

/// One cell: text, or a number that may be missing (R's NA; an empty CSV field).
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    Text(String),
    Number(Option<f64>),
}

impl Datum {
    pub fn text(text: impl Into<String>) -> Datum {
        Datum::Text(text.into())
    }

    /// The CSV text: numbers at full precision, missing as empty.
    pub fn csv_text(&self) -> String {
        match self {
            Datum::Text(text) => text.clone(),
            Datum::Number(Some(number)) => number.to_string(),
            Datum::Number(None) => String::new(),
        }
    }
}

/// A named table of data.
#[derive(Debug, Clone, PartialEq)]
pub struct DataTable {
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Datum>>,
}

impl DataTable {
    /// The table as CSV text with a header row.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&self.headers).expect("writing to memory");
        for row in &self.rows {
            writer.write_record(row.iter().map(Datum::csv_text)).expect("writing to memory");
        }
        String::from_utf8(writer.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
    }
}

/// Tables as an XLSX workbook, one sheet each named after its table, headers in bold and
/// frozen, numbers as numbers and missing values as empty cells.
pub fn workbook(tables: &[DataTable]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let unexpected = |error: rust_xlsxwriter::XlsxError| AppError::Unexpected(anyhow::Error::new(error));
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.name).map_err(unexpected)?;
        for (col, header) in table.headers.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *header, &bold).map_err(unexpected)?;
        }
        for (row_idx, row) in table.rows.iter().enumerate() {
            let excel_row = row_idx as u32 + 1;
            for (col, datum) in row.iter().enumerate() {
                match datum {
                    Datum::Text(text) => sheet.write_string(excel_row, col as u16, text).map_err(unexpected)?,
                    Datum::Number(Some(number)) if number.is_finite() => {
                        sheet.write_number(excel_row, col as u16, *number).map_err(unexpected)?
                    }
                    Datum::Number(_) => sheet,
                };
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(unexpected)?;
    }
    workbook.save_to_buffer().map_err(unexpected)
}
