//! Tables as Parquet files (Snappy-compressed), which DuckDB, Polars and Spark read directly:
//! integers as INT64, decimals as DOUBLE, yes/no as BOOLEAN, dates as DATE, times as
//! TIMESTAMP with time zone (UTC, microseconds), choice codes as strings and a multiple
//! choice as a list of strings; unanswered is null.

use std::io::Write;

use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;

use super::column::Table;

/// Writes `table` as one Parquet file into `w`.
pub fn write_parquet<W: Write + Send>(table: &Table, w: W) -> Result<(), ParquetError> {
    let batch = table.record_batch()?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("ruhu {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = ArrowWriter::try_new(w, batch.schema(), Some(props))?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}
