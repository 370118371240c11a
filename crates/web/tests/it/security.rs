//! Security basics that hold for every response: headers, cookie flags, the route table.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn every_response_carries_security_headers() {
    let web = TestWeb::demo().await;
    let mut client = web.client();
    for path in ["/", "/sign-in", "/no-such-page", "/api/v1/openapi.json", "/assets/nhsuk-frontend.min.css"] {
        let reply = client.get(path).await;
        let csp = reply.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(reply.headers.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(reply.headers.get("x-frame-options").unwrap(), "DENY", "{path}");
    }
}

#[tokio::test]
async fn pages_have_no_inline_scripts_or_styles() {
    let web = TestWeb::demo().await;
    let mut client = web.signed_in("commissioner@demo.commissioner.test").await;
    for path in ["/dashboard", "/areas/E54900001", "/organisations/R9A", "/plan", "/monitor"] {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains(" style=\""), "{path} has an inline style");
        for script in page.body.split("<script").skip(1) {
            assert!(script.trim_start().starts_with("src=") || script.contains(" src="), "{path} has an inline script");
        }
    }
}

#[tokio::test]
async fn the_session_cookie_is_locked_down() {
    let web = TestWeb::demo().await;
    let mut client = web.client();
    let reply = client.sign_in("commissioner@demo.commissioner.test", app::demo::DEMO_PASSWORD).await;
    let cookie = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-commissioner_session="))
        .expect("a session cookie")
        .to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(reply.cookie("__Host-commissioner_session").unwrap().len() > 60);
}

/// Every `.route(…)` in router.rs has an access rule, and every rule names a real route.
#[test]
fn the_route_table_and_the_router_agree() {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/router.rs")).unwrap();
    let mut routed: Vec<(String, String)> = Vec::new();
    // Join the source into one line, so a call that formatting split is read whole.
    let joined: String = source.split_whitespace().collect::<Vec<_>>().join(" ");
    for call in joined.split(".route(").skip(1).map(str::trim_start).filter(|call| call.starts_with('"')) {
        let path = call.split('"').nth(1).unwrap().to_owned();
        // The handlers run to the end of this call: up to the next `.route(` or layer.
        let handlers = call.split(".route_layer(").next().unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            if handlers.contains(&format!(" {method}("))
                || handlers.contains(&format!(".{method}("))
                || handlers.contains(&format!("({method}("))
            {
                routed.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    let mut table: Vec<(String, String)> =
        web::route_table().into_iter().map(|(m, p, _)| (m.to_owned(), p.to_owned())).collect();
    routed.sort();
    table.sort();
    assert_eq!(routed, table, "router.rs and policy::ROUTES must list the same routes");
}

#[tokio::test]
async fn unsupported_methods_get_405_not_a_server_error() {
    let web = TestWeb::demo().await;
    let mut client = web.client();
    for (method, path) in [("TRACE", "/api/v1/dashboard"), ("DELETE", "/sign-in"), ("PUT", "/areas/E54900001")] {
        let request = axum::http::Request::builder().method(method).uri(path).body(axum::body::Body::empty()).unwrap();
        let reply = client.send(request).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(reply.headers.get("allow").is_some(), "{method} {path}");
    }
}
