//! Writes a synthetic database for docs/BENCHMARKS.md:
//! `cargo run --release -p followup-app --example synth -- PATH CONTACTS TOUCHES TODAY`

use followup_app::{App, Config};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, contacts, touches, today] = args.as_slice() else {
        return Err("usage: synth PATH CONTACTS TOUCHES TODAY".into());
    };
    let today: jiff::civil::Date = today.parse()?;
    let app = App::open(std::path::Path::new(path), Config::default())?;
    let cx = app.ctx(today)?;
    let start = std::time::Instant::now();
    let items =
        followup_app::synth::generate(&app, &cx, contacts.parse()?, touches.parse()?, &mut |m| {
            eprintln!("{:>7.1} s  {m}", start.elapsed().as_secs_f64());
        })?;
    eprintln!(
        "{:>7.1} s  done: {items} plan items",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
