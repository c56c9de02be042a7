//! Files encrypted with a passphrase: backups today, answer bundles later. The format is
//! age's (age-encryption.org/v1, the passphrase through scrypt), written and read by the
//! `age` crate, so a file can also be opened with the `age` or `rage` command-line tools.
//! A wrong passphrase, a file cut short or altered, are refused: age authenticates every
//! 64 KiB chunk and the end of the file.

use std::io::{self, BufRead, Read, Write};
use std::path::Path;

use age::secrecy::SecretString;

use crate::i18n::Text;
use crate::tr;

/// How every age file starts.
const MAGIC: &[u8] = b"age-encryption.org/";
/// How an age file in ASCII armor starts.
const ARMOR: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Whether bytes (the start of a file) are an age file.
pub fn is_encrypted(start: &[u8]) -> bool {
    start.starts_with(MAGIC) || start.starts_with(ARMOR)
}

/// Whether the reader's next bytes are an age file (they stay in the buffer).
pub fn starts_encrypted(r: &mut impl BufRead) -> io::Result<bool> {
    Ok(is_encrypted(r.fill_buf()?))
}

/// A passphrase: the first line of `--passphrase-file F`, else typed at a prompt when there
/// is a terminal (twice when `confirm`, for a new file). Never empty.
pub fn obtain(file: Option<&Path>, confirm: bool) -> Result<SecretString, Text> {
    let pass = match file {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| crate::i18n::cannot_read(path, &e))?;
            let first = text.lines().next().unwrap_or("").trim_end_matches('\r');
            first.to_string()
        }
        None => {
            use std::io::IsTerminal;
            if !io::stdin().is_terminal() {
                return Err(tr!(
                    "需要口令：请用 --passphrase-file 给出存放口令的文件，或在终端上运行以输入口令",
                    "a passphrase is needed: give a file holding it with --passphrase-file, or run on a terminal to type it"
                ));
            }
            let ask = |prompt: Text| {
                rpassword::prompt_password(format!("{} / {}: ", prompt.zh, prompt.en))
                    .map_err(|e| tr!("无法读取口令：{}", "cannot read the passphrase: {}", e))
            };
            let first = ask(tr!("口令", "passphrase"))?;
            if confirm && ask(tr!("再输入一次口令", "the passphrase again"))? != first {
                return Err(tr!("两次输入的口令不一样", "the two passphrases differ"));
            }
            first
        }
    };
    if pass.is_empty() {
        return Err(tr!("口令不能为空", "the passphrase must not be empty"));
    }
    Ok(SecretString::from(pass))
}

/// A writer that encrypts what is written into `w`; call [`Sealed::finish`] at the end.
pub struct Sealed<W: Write>(age::stream::StreamWriter<W>);

impl<W: Write> Sealed<W> {
    pub fn new(w: W, passphrase: SecretString) -> io::Result<Sealed<W>> {
        let encryptor = age::Encryptor::with_user_passphrase(passphrase);
        Ok(Sealed(encryptor.wrap_output(w)?))
    }

    /// Writes the last chunk (without it the file is refused as cut short).
    pub fn finish(self) -> io::Result<W> {
        self.0.finish()
    }
}

impl<W: Write> Write for Sealed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Decrypts an age file with a passphrase: a reader of the plain bytes. Errors read from it
/// later (a chunk altered, the file cut short) are `io::Error`s of kind `InvalidData`.
pub fn open<R: Read>(r: R, passphrase: &SecretString) -> Result<impl Read + use<R>, Text> {
    let decryptor = age::Decryptor::new(r).map_err(decrypt_error)?;
    if !decryptor.is_scrypt() {
        return Err(tr!(
            "这个文件是用密钥而不是口令加密的",
            "this file is encrypted to a key, not with a passphrase"
        ));
    }
    let identity = age::scrypt::Identity::new(passphrase.clone());
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(decrypt_error)
}

fn decrypt_error(e: age::DecryptError) -> Text {
    use age::DecryptError as E;
    match e {
        E::DecryptionFailed | E::KeyDecryptionFailed | E::NoMatchingKeys | E::InvalidMac => tr!(
            "口令不对（或文件已被改动）：无法解密",
            "wrong passphrase (or the file was altered): it cannot be decrypted"
        ),
        E::ExcessiveWork { .. } => tr!(
            "这个文件的口令加密强度超出本机能在合理时间内解开的范围",
            "the file's passphrase protection needs more work than this machine does in reasonable time"
        ),
        E::InvalidHeader | E::UnknownFormat => tr!(
            "不是可识别的加密文件（文件头有误，或来自更新的版本）",
            "not an encrypted file this program can read (a bad header, or a newer format)"
        ),
        E::Io(e) => tr!(
            "读取加密文件时出错：{}",
            "error reading the encrypted file: {}",
            e
        ),
        #[allow(unreachable_patterns)]
        _ => tr!("无法解密：{}", "cannot decrypt: {}", e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;

    fn sealed(plain: &[u8], pass: &str) -> Vec<u8> {
        let mut w = Sealed::new(Vec::new(), SecretString::from(pass.to_string())).unwrap();
        w.write_all(plain).unwrap();
        w.finish().unwrap()
    }

    #[test]
    fn round_trip_wrong_passphrase_and_tampering() {
        let plain = "户主 张三 532326194909155480".repeat(5000);
        let bytes = sealed(plain.as_bytes(), "正确的口令");
        assert!(is_encrypted(&bytes));
        assert!(!bytes.windows(6).any(|w| w == "张三".as_bytes()));
        let mut out = String::new();
        open(&bytes[..], &SecretString::from("正确的口令".to_string()))
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, plain);
        let wrong = open(&bytes[..], &SecretString::from("错的".to_string()));
        assert!(wrong.is_err_and(|t| t.zh.contains("口令不对")));
        // Cut short, or one byte changed: reading fails.
        let pass = SecretString::from("正确的口令".to_string());
        let cut = &bytes[..bytes.len() - 100];
        let mut sink = Vec::new();
        assert!(open(cut, &pass).unwrap().read_to_end(&mut sink).is_err());
        let mut altered = bytes.clone();
        let i = altered.len() - 5000;
        altered[i] ^= 1;
        sink.clear();
        assert!(
            open(&altered[..], &pass)
                .unwrap()
                .read_to_end(&mut sink)
                .is_err()
        );
    }

    #[test]
    fn a_passphrase_file_gives_its_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pass.txt");
        std::fs::write(&f, "口令 一\r\nsecond\n").unwrap();
        assert_eq!(obtain(Some(&f), true).unwrap().expose_secret(), "口令 一");
        std::fs::write(&f, "\n").unwrap();
        assert!(obtain(Some(&f), false).is_err());
    }
}
