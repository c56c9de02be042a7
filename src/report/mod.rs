//! The report to print or send (`ruhu report --out FILE.html`): per county the rates as found
//! and after review against their thresholds, a chart per rate by village, the coverage of
//! the sample and the findings by village with their evidence and the auditors' marks, as one
//! self-contained HTML file that prints on A4. No store and no terminal inside:
//! [`model`] gathers what is shown from domain values, [`html`] writes it, [`svg`] draws the
//! charts.

pub mod html;
pub mod model;
pub mod svg;

pub use html::write as write_html;
pub use model::{Inputs, Report, build};
