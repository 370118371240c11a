//! Small CSV tables (tariffs, MFFs) read whole, with errors naming file, line and field.
//! The large activity files go through `reader`, not here.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::AnalyticsError;

pub(crate) struct CsvTable {
    path: PathBuf,
    header: Vec<String>,
    text: String,
}

pub(crate) struct TableRow<'a> {
    path: &'a Path,
    pub(crate) line: u64,
    fields: Vec<&'a str>,
    columns: &'a HashMap<&'a str, usize>,
}

pub(crate) fn located(path: &Path, line: u64, field: Option<&str>, message: String) -> AnalyticsError {
    AnalyticsError::Data {
        file: path.to_owned(),
        line,
        message: match field {
            Some(field) => format!("field '{field}': {message}"),
            None => message,
        },
    }
}

impl CsvTable {
    pub(crate) fn open(path: &Path) -> Result<CsvTable, AnalyticsError> {
        let text = fs::read_to_string(path).map_err(|source| AnalyticsError::Io { file: path.to_owned(), source })?;
        let header = text
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches('\u{feff}')
            .split(',')
            .map(|h| h.trim().to_owned())
            .collect();
        Ok(CsvTable { path: path.to_owned(), header, text })
    }

    pub(crate) fn require(&mut self, columns: &[&str]) -> Result<(), AnalyticsError> {
        for column in columns {
            if !self.header.iter().any(|h| h == column) {
                return Err(located(
                    &self.path,
                    1,
                    Some(column),
                    format!("the column is missing from the header (found: {})", self.header.join(", ")),
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn rows(
        &mut self,
        mut visit: impl FnMut(&TableRow<'_>) -> Result<(), AnalyticsError>,
    ) -> Result<(), AnalyticsError> {
        let columns: HashMap<&str, usize> =
            self.header.iter().enumerate().map(|(idx, name)| (name.as_str(), idx)).collect();
        for (idx, line) in self.text.lines().enumerate().skip(1) {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let row = TableRow { path: &self.path, line: idx as u64 + 1, fields, columns: &columns };
            if row.fields.len() != self.header.len() {
                return Err(located(
                    &self.path,
                    row.line,
                    None,
                    format!("the row has {} fields but the header has {}", row.fields.len(), self.header.len()),
                ));
            }
            visit(&row)?;
        }
        Ok(())
    }
}

impl TableRow<'_> {
    pub(crate) fn text(&self, column: &str) -> &str {
        self.columns.get(column).and_then(|idx| self.fields.get(*idx)).copied().unwrap_or("")
    }

    pub(crate) fn error(&self, field: &str, message: String) -> AnalyticsError {
        located(self.path, self.line, Some(field), message)
    }

    pub(crate) fn required(&self, column: &str) -> Result<&str, AnalyticsError> {
        let text = self.text(column);
        if text.is_empty() { Err(self.error(column, "is empty".into())) } else { Ok(text) }
    }

    pub(crate) fn parse<T>(
        &self,
        column: &str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, AnalyticsError> {
        let text = self.required(column)?;
        parse(text).ok_or_else(|| self.error(column, format!("'{text}' is not {expected}")))
    }

    pub(crate) fn parse_optional<T>(
        &self,
        column: &str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, AnalyticsError> {
        let text = self.text(column);
        if text.is_empty() {
            return Ok(None);
        }
        parse(text).map(Some).ok_or_else(|| self.error(column, format!("'{text}' is not {expected}")))
    }
}
