//! `serve` and `demo`: bind the listener first (so the printed address is real, even with
//! port 0), then serve until Ctrl-C.

use anyhow::Context;
use tokio::net::TcpListener;

use app::App;
use app::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, DemoOptions};
use web::WebSettings;

use crate::config::{DEFAULT_DATA_DIR, DEMO_DATA_DIR, DemoArgs, Global, ServeArgs};
use crate::progress::Reporter;

pub(crate) async fn serve(global: &Global, args: ServeArgs) -> anyhow::Result<()> {
    let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
    run_server(app, &args).await
}

pub(crate) async fn demo(global: &Global, args: DemoArgs) -> anyhow::Result<()> {
    let settings = global.app_settings(DEMO_DATA_DIR);
    let data_dir = settings.data_dir.clone();
    let app = App::open(settings).await?;
    eprintln!("Preparing the demo commissioner in {} ...", data_dir.display());
    let reference_data = match &args.reference_data {
        Some(dir) if dir.as_os_str() == "none" => None,
        Some(dir) if !dir.is_dir() => anyhow::bail!("--reference-data {}: no such directory", dir.display()),
        Some(dir) => Some(dir.clone()),
        None => Some(std::path::PathBuf::from("../shared/data")).filter(|dir| dir.is_dir()),
    };
    if let Some(dir) = &reference_data {
        eprintln!("Loading real reference data from {} as well", dir.display());
    }
    let options = DemoOptions { seed: args.seed, rows: args.rows, reference_data };
    let report = app.load_demo(&options, &Reporter::new()).await?;
    if report.loaded {
        eprintln!(
            "Generated and loaded a synthetic ICB (seed {}, {} activity rows) from {}",
            args.seed,
            args.rows,
            report.generated_dir.display()
        );
    } else {
        eprintln!("The demo was already loaded; using it as it is (delete {} to start again)", data_dir.display());
    }
    println!("Demo accounts (password for all: {DEMO_PASSWORD}):");
    for account in DEMO_ACCOUNTS {
        println!("  {:<40} {}", account.email, account.role.label());
    }
    if args.no_serve {
        return Ok(());
    }
    run_server(app, &args.serve).await
}

async fn run_server(app: App, args: &ServeArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&args.bind).await.with_context(|| format!("listening on {}", args.bind))?;
    let address = listener.local_addr()?;
    let settings = WebSettings { secure_cookies: !args.insecure_cookies, ..WebSettings::default() };
    let router = web::router(app.clone(), settings);
    println!("Commissioner is running at http://{address} (store: {}). Press Ctrl-C to stop.", app.backend_name());
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
        .context("serving")?;
    eprintln!("Stopped.");
    Ok(())
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
