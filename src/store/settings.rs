//! Settings: a name → a JSON value (e.g. the income line of a year).

use serde_json::Value;

use super::{Result, Store, StoreError, decode};

impl Store {
    /// One setting.
    pub fn setting(&self, key: &str) -> Result<Option<Value>> {
        match self.settings.get(key.as_bytes())? {
            None => Ok(None),
            Some(v) => decode(|| format!("setting {key}"), &v).map(Some),
        }
    }

    /// Sets a setting, flushed.
    pub fn set_setting(&self, key: &str, value: &Value) -> Result<()> {
        self.writable()?;
        let bytes = serde_json::to_vec(value)
            .map_err(|e| StoreError::Invalid(format!("cannot encode setting {key}: {e}")))?;
        self.settings.insert(key.as_bytes(), bytes)?;
        self.sync()?;
        Ok(())
    }

    /// Removes a setting, flushed; true when there was one.
    pub fn remove_setting(&self, key: &str) -> Result<bool> {
        self.writable()?;
        let existed = self.settings.remove(key.as_bytes())?.is_some();
        self.sync()?;
        Ok(existed)
    }

    /// All settings, by name.
    pub fn settings(&self) -> impl Iterator<Item = Result<(String, Value), StoreError>> {
        self.settings.iter().map(|kv| {
            let (k, v) = kv?;
            let key = String::from_utf8(k.to_vec())
                .map_err(|e| StoreError::corrupt("setting name", e))?;
            let value = decode(|| format!("setting {key}"), &v)?;
            Ok((key, value))
        })
    }
}
