//! `stripe-standin --port N`: the Stripe stand-in as a process, for the browser tests (see
//! the library's documentation). It prints its address and serves until stopped.

use clap::Parser;

#[derive(Parser)]
#[command(about = "A stand-in for Stripe's API, Stripe.js and webhooks, for Kassa's tests")]
struct Args {
    /// The local port to listen on (0: any free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let standin = kassa_stripe_standin::StandIn::serve(listener).await?;
    println!("stripe stand-in listening on {}", standin.url);
    tokio::signal::ctrl_c().await?;
    Ok(())
}
