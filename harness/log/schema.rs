//! A family's [`Schema`] for any [`FamilyRow`] type whose columns are its serde
//! fields ([`RowSchema`], which each family defines beside its row type), and the
//! helpers that read and write the common columns. The readers and writers of
//! results take the schemas they may meet; `log` itself knows no family.

use std::marker::PhantomData;
use std::sync::OnceLock;

use csv::StringRecord;
use serde::de::DeserializeOwned;

use super::records::{header_and_record, record_of};
use super::row::{Common, FamilyRow, Schema};
use super::{Row, Schemas};
use crate::method::{Family, Method};

/// A family row type that can be read back: the serde fields of [`FamilyRow`],
/// with a row of no values to start from (every such type is one).
pub trait ReadRow: FamilyRow + DeserializeOwned + Default {}

impl<R: FamilyRow + DeserializeOwned + Default> ReadRow for R {}

/// The [`Schema`] of a row type `R`: its columns are `R`'s serde fields.
pub struct RowSchema<R> {
    family: Family,
    run_columns: &'static [&'static str],
    optional: &'static [&'static str],
    methods: fn() -> Vec<Method>,
    foreign: Option<ForeignReader>,
    columns: OnceLock<(Vec<String>, StringRecord)>,
    row: PhantomData<fn() -> R>,
}

/// Reads a minimal-schema file (header, whole text), if the header is its.
pub type ForeignReader = fn(&[String], &str) -> Option<Result<Vec<Row>, String>>;

impl<R: ReadRow> RowSchema<R> {
    pub const fn new(
        family: Family,
        run_columns: &'static [&'static str],
        optional: &'static [&'static str],
        methods: fn() -> Vec<Method>,
    ) -> RowSchema<R> {
        RowSchema {
            family,
            run_columns,
            optional,
            methods,
            foreign: None,
            columns: OnceLock::new(),
            row: PhantomData,
        }
    }

    /// The schema, also reading other tools' files through `reader`.
    pub const fn with_foreign(mut self, reader: ForeignReader) -> RowSchema<R> {
        self.foreign = Some(reader);
        self
    }

    fn layout(&self) -> &(Vec<String>, StringRecord) {
        self.columns.get_or_init(|| {
            let (header, cells) = header_and_record(&R::default());
            (header.iter().map(String::from).collect(), cells)
        })
    }
}

impl<R: ReadRow> Schema for RowSchema<R> {
    fn family(&self) -> Family {
        self.family
    }
    fn columns(&self) -> &[String] {
        &self.layout().0
    }
    fn run_columns(&self) -> &'static [&'static str] {
        self.run_columns
    }
    fn optional_columns(&self) -> &'static [&'static str] {
        self.optional
    }
    fn methods(&self) -> Vec<Method> {
        (self.methods)()
    }
    fn read(&self, common: Common, own: &StringRecord) -> Result<Row, String> {
        let header = StringRecord::from(self.columns().to_vec());
        let mut r: R = own.deserialize(Some(&header)).map_err(|e| e.to_string())?;
        *r.common_mut() = common;
        Ok(Row::new(r))
    }
    fn empty(&self) -> &StringRecord {
        &self.layout().1
    }
    fn foreign(&self, header: &[String], text: &str) -> Option<Result<Vec<Row>, String>> {
        self.foreign.and_then(|f| f(header, text))
    }
}

/// The columns every family's rows have, in order.
pub fn common_columns() -> &'static [String] {
    static COLUMNS: OnceLock<Vec<String>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        header_and_record(&Common::<Method>::default())
            .0
            .iter()
            .map(String::from)
            .collect()
    })
}

/// Common columns that files written before they existed lack.
pub const COMMON_OPTIONAL: [&str; 1] = ["eval_metric"];

/// The common columns of a row from their cells (in [`common_columns`]' order),
/// its method one of `schema`'s.
pub(super) fn read_common(schema: &dyn Schema, cells: &StringRecord) -> Result<Common, String> {
    static HEADER: OnceLock<StringRecord> = OnceLock::new();
    let header = HEADER.get_or_init(|| StringRecord::from(common_columns().to_vec()));
    let c: Common<String> = cells.deserialize(Some(header)).map_err(|e| e.to_string())?;
    let methods = schema.methods();
    let Some(method) = methods.iter().copied().find(|m| m.as_str() == c.method) else {
        let all: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
        return Err(format!(
            "column `method`: `{}` is not a method of family `{}` (expected one of {})",
            c.method,
            schema.family(),
            all.join(", ")
        ));
    };
    crate::names::identifier(&c.experiment).map_err(|m| format!("column `experiment`: {m}"))?;
    Ok(c.resolve(method))
}

/// The schema of family `name` among `schemas`.
pub fn find(schemas: Schemas, name: &str) -> Result<&'static dyn Schema, String> {
    schemas
        .iter()
        .copied()
        .find(|s| s.family().as_str() == name)
        .ok_or_else(|| {
            let known: Vec<&str> = schemas.iter().map(|s| s.family().as_str()).collect();
            format!(
                "column `family`: `{name}` is not a family (known: {})",
                known.join(", ")
            )
        })
}

/// Every method of the families in `schemas`, in table order.
pub fn methods(schemas: Schemas) -> Vec<Method> {
    let mut all: Vec<Method> = schemas.iter().flat_map(|s| s.methods()).collect();
    all.sort();
    all
}

/// The common cells of a row.
pub(super) fn common_record(row: &Row) -> StringRecord {
    record_of(row.common())
}

/// A row's cells with their column names: the common columns, then its family's
/// own (what `reproduce` compares, and names when they differ).
pub fn named_cells(row: &Row) -> Vec<(String, String)> {
    let own = row.schema().columns();
    common_columns()
        .iter()
        .zip(&common_record(row))
        .chain(own.iter().zip(&row.own_record()))
        .map(|(c, v)| (c.clone(), v.to_string()))
        .collect()
}

/// The row as it reads back from its cells (what a results file holds of it:
/// numbers as written, the checks of reading).
pub fn reread(row: &Row) -> Result<Row, String> {
    let s = row.schema();
    let common = read_common(s, &common_record(row))?;
    s.read(common, &row.own_record())
}
