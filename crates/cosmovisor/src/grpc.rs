//! The chain's governance plan, from the node's gRPC (`cosmos.upgrade.v1beta1.Query/
//! CurrentPlan`, what Cosmovisor's `prepare-upgrade` asks): known as soon as the proposal
//! passes, days before the height, so the release can be staged long before the node halts.
//!
//! The answer is untrusted: bounded by the client's message limit, and a plan with an empty
//! name is no plan. The messages are declared here (three fields of the SDK's `Plan`), so no
//! `.proto` compiler is needed to build.

use std::time::Duration;

use tonic::codegen::http::uri::PathAndQuery;

use crate::plan::Plan;

#[derive(Clone, PartialEq, prost::Message)]
struct QueryCurrentPlanRequest {}

#[derive(Clone, PartialEq, prost::Message)]
struct QueryCurrentPlanResponse {
    #[prost(message, optional, tag = "1")]
    plan: Option<GovPlan>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct GovPlan {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(int64, tag = "3")]
    height: i64,
    #[prost(string, tag = "4")]
    info: String,
}

/// Largest answer accepted (a plan is a few KiB).
const MAX_ANSWER: usize = 1 << 20;

/// The address as a URI tonic takes: `localhost:9090` is plain HTTP/2.
fn endpoint(address: &str) -> Result<String, String> {
    let address = address.trim();
    if address.is_empty() {
        return Err("DAEMON_GRPC_ADDRESS is empty".to_owned());
    }
    if address.starts_with("https://") {
        return Err(format!(
            "DAEMON_GRPC_ADDRESS {address}: TLS to the node's gRPC is not supported yet; give its plaintext address \
             (host:port, usually localhost:9090)"
        ));
    }
    Ok(if address.starts_with("http://") { address.to_owned() } else { format!("http://{address}") })
}

/// Asks the node for its current plan; `None` when there is none.
pub(crate) fn current_plan(address: &str, timeout: Duration, recase: bool) -> Result<Option<Plan>, String> {
    let uri = endpoint(address)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot ask {uri}: {e}"))?;
    let answer = runtime.block_on(async {
        let channel = tonic::transport::Endpoint::from_shared(uri.clone())
            .map_err(|e| format!("DAEMON_GRPC_ADDRESS {address:?} is not an address: {e}"))?
            .connect_timeout(timeout)
            .timeout(timeout)
            .connect()
            .await
            .map_err(|e| format!("cannot connect to the node's gRPC at {uri} (DAEMON_GRPC_ADDRESS): {e}"))?;
        let mut grpc = tonic::client::Grpc::new(channel).max_decoding_message_size(MAX_ANSWER);
        grpc.ready().await.map_err(|e| format!("the node's gRPC at {uri} is not ready: {e}"))?;
        let path = PathAndQuery::from_static("/cosmos.upgrade.v1beta1.Query/CurrentPlan");
        let codec = tonic_prost::ProstCodec::<QueryCurrentPlanRequest, QueryCurrentPlanResponse>::default();
        grpc.unary(tonic::Request::new(QueryCurrentPlanRequest {}), path, codec)
            .await
            .map(tonic::Response::into_inner)
            .map_err(|e| format!("the node's gRPC at {uri} refused CurrentPlan: {} ({:?})", e.message(), e.code()))
    })?;
    let Some(plan) = answer.plan.filter(|p| !p.name.trim().is_empty()) else { return Ok(None) };
    let height = u64::try_from(plan.height)
        .ok()
        .filter(|h| *h > 0)
        .ok_or_else(|| format!("the chain's plan {:?} has height {}, not a height", plan.name, plan.height))?;
    let name = if recase { plan.name.to_lowercase() } else { plan.name };
    Ok(Some(Plan { name, height, info: plan.info }))
}

#[cfg(test)]
mod tests {
    use super::endpoint;

    #[test]
    fn addresses() {
        assert_eq!(endpoint("localhost:9090").unwrap(), "http://localhost:9090");
        assert_eq!(endpoint("http://10.0.0.1:9090").unwrap(), "http://10.0.0.1:9090");
        assert!(endpoint("https://node:9090").unwrap_err().contains("TLS"));
        assert!(endpoint(" ").is_err());
    }
}
