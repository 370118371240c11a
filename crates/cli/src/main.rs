//! The `commissioner` command: the one composition root. It reads configuration (flags and
//! environment), sets up logging, opens the store chosen by the database URL, and hands
//! typed values to `app` and `web`. Errors print their whole chain and exit non-zero.

mod commands;
mod config;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use crate::config::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => commands::serve::demo(&cli.global, args).await,
        Command::Serve(args) => commands::serve::serve(&cli.global, args).await,
        Command::Generate(args) => commands::generate::generate(args),
        Command::Import(args) => commands::import::import(&cli.global, args).await,
        Command::Migrate => commands::store::migrate(&cli.global).await,
        Command::Backup(args) => commands::store::backup(&cli.global, args).await,
        Command::Restore(args) => commands::store::restore(&cli.global, args).await,
        Command::User(args) => commands::user::user(&cli.global, args).await,
        Command::Token(args) => commands::user::token(&cli.global, args).await,
        Command::Activity(args) => commands::activity::activity(&cli.global, args.command).await,
        Command::Prices(args) => commands::activity::prices(&cli.global, args.command).await,
        Command::Methods(args) => commands::methods::methods(args),
        Command::Priorities(args) => commands::methods::priorities(args),
        Command::Indicators(args) => commands::methods::indicators(args),
        Command::Needs(args) => commands::needs::needs(&cli.global, args).await,
        Command::IndicatorCatalogue(args) => commands::needs::catalogue(&cli.global, args).await,
        Command::Contracts(args) => commands::contracts::contracts(&cli.global, args).await,
        Command::Payment(args) => commands::contracts::payment(&cli.global, args).await,
        Command::Procure(args) => commands::procure::procure(&cli.global, args).await,
        Command::Strategy(args) => commands::strategy::strategy(&cli.global, args).await,
        Command::Audit(args) => match args.command {
            config::AuditCommand::Verify => commands::audit::verify(&cli.global).await,
        },
    }
}

fn init_tracing(verbose: bool) {
    let default = if verbose { "debug,sqlx=info,hyper=info" } else { "info,sqlx=warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}
