//! Exports the target triple, so `sftoken --version` names the build a
//! support request is about (`sftoken 0.1.0 (x86_64-pc-windows-msvc)`).

fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
