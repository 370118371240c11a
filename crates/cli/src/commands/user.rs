//! `user create`: accounts for real deployments (the demo makes its own).

use std::io::Read;

use anyhow::Context;

use app::accounts::NewAccount;
use app::{Actor, App};
use commissioning::access::Role;
use commissioning::org::OdsCode;

use crate::commands::import::whoami;
use crate::config::{DEFAULT_DATA_DIR, Global, TokenArgs, TokenCommand, UserArgs, UserCommand};

pub(crate) async fn user(global: &Global, args: UserArgs) -> anyhow::Result<()> {
    match args.command {
        UserCommand::Create { email, name, org, roles } => {
            let roles = roles.iter().map(|r| Role::parse(r)).collect::<Result<_, _>>().context("--role")?;
            let organisation = OdsCode::parse(&org).context("--org")?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
            let actor = Actor::System(format!("cli:{}", whoami()));
            let id = app
                .create_account(
                    &actor,
                    NewAccount {
                        email: email.clone(),
                        name,
                        organisation,
                        roles,
                        password,
                        must_change_password: true,
                    },
                )
                .await?;
            println!("Created user {id} ({email}); they must change the password at first sign-in.");
            Ok(())
        }
    }
}

pub(crate) async fn token(global: &Global, args: TokenArgs) -> anyhow::Result<()> {
    match args.command {
        TokenCommand::Create { org, role, name, by } => {
            let organisation = OdsCode::parse(&org).context("--org")?;
            let role = Role::parse(&role).context("--role")?;
            let app = App::open(global.app_settings(DEFAULT_DATA_DIR)).await?;
            let principal = app.principal_of(&by).await?.with_context(|| format!("there is no account {by}"))?;
            let token = app.create_token(&principal, &organisation, role, &name).await?;
            eprintln!("Created token {} for {organisation}. Send it as 'Authorization: Bearer <token>':", token.id);
            println!("{}", token.secret);
            Ok(())
        }
    }
}
