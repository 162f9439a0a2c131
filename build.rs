//! Exports the target triple, so `sftoken --version` names the build a
//! support request is about (`sftoken 0.1.0 (x86_64-pc-windows-msvc)`), and
//! writes the page's HTML, JS and CSS without their comments and indentation,
//! plain and gzipped, to `OUT_DIR`, where
//! `web/pages.rs` embeds them (`src/web/strip.rs` says what goes and why).

#[path = "src/web/strip.rs"]
mod strip;

fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/web/strip.rs");
    strip_static();
}

fn strip_static() {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // The folder too: a new file reruns this.
    println!("cargo:rerun-if-changed=static");
    for entry in std::fs::read_dir("static").expect("static/") {
        let path = entry.expect("a file of static/").path();
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        let language = match path.extension().and_then(|e| e.to_str()) {
            Some("js") => strip::Language::Js,
            Some("css") => strip::Language::Css,
            Some("html") => strip::Language::Html,
            _ => continue,
        };
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("static/ is UTF-8");
        let stripped =
            strip::strip(&text, language).unwrap_or_else(|why| panic!("static/{name}: {why}"));
        std::fs::write(out.join(&name), &stripped).expect("write to OUT_DIR");
        // Zopfli's gzip is a valid gzip stream, some 5% smaller than zlib's best.
        let mut encoder = zopfli::GzipEncoder::new(
            zopfli::Options::default(),
            zopfli::BlockType::Dynamic,
            Vec::new(),
        )
        .expect("a gzip encoder");
        zopfli::Write::write_all(&mut encoder, stripped.as_bytes()).expect("gzip in memory");
        let gzip = encoder.finish().expect("gzip in memory");
        std::fs::write(out.join(format!("{name}.gz")), gzip).expect("write to OUT_DIR");
    }
}
