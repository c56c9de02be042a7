//! The bounds ruhu puts on what it reads, in one place: no file, cell or answer can make it
//! take unbounded memory or time. Each limit is far above what real county exports, answer
//! files and questionnaires hold; input over a limit is refused with a message that names the
//! limit, the file and the place (RELIABILITY.md lists them with the tests that try them).

/// Bytes of a 户编号 or any other stored identifier (a real one has 15–20 digits).
pub const MAX_ID_BYTES: usize = 64;

/// Bytes of one cell of a registry or project file (a name, an address, a helper's name).
pub const MAX_CELL_BYTES: usize = 4096;

/// Cells in one row of a registry file (a county export has 20–40 columns).
pub const MAX_COLUMNS: usize = 512;

/// Rows of a worksheet as declared or as read (Excel itself stops at 1,048,576).
pub const MAX_SHEET_ROWS: u64 = 1_048_576;

/// Uncompressed bytes of one part of an XLSX workbook (a sheet of 1,000,000 households is
/// about 600 MB), checked before it is read: a few kilobytes of zip cannot become gigabytes.
pub const MAX_XLSX_PART_BYTES: u64 = 2 << 30;

/// Uncompressed bytes of the shared strings of an XLSX workbook, which are held in memory.
pub const MAX_XLSX_SHARED_STRINGS_BYTES: u64 = 512 << 20;

/// Bytes of an answer file, a questionnaire, a rules or a settings file (JSON read whole).
pub const MAX_JSON_FILE_BYTES: u64 = 16 << 20;

/// Characters of one text answer (typed, pasted or read from a file).
pub const MAX_TEXT_ANSWER_CHARS: usize = 4000;

/// Rows of one roster (members of a household: the largest real ones have about 20).
pub const MAX_ROSTER_ROWS: usize = 200;

/// Bytes of a 项目编号: an interview about a project names it by its subject key
/// `project:` ++ the id, which must fit [`MAX_ID_BYTES`] like every stored identifier.
pub const MAX_PROJECT_ID_BYTES: usize = MAX_ID_BYTES - "project:".len();

/// Projects of one project list (a county's has a few hundred to a few thousand): the list
/// is replaced in one transaction, held in memory.
pub const MAX_PROJECTS: usize = 100_000;

/// Beneficiary households of one project (a county-wide relocation has some thousands).
pub const MAX_PROJECT_BENEFICIARIES: usize = 20_000;

/// Households the demo generator makes at most.
pub const MAX_DEMO_HOUSEHOLDS: usize = 5_000_000;
