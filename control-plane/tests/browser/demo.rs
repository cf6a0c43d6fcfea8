//! The control plane under test: started in this process on 127.0.0.1:0 with the demo ISP
//! seeded, the sandbox payment gateway on and the demo site running (simulated BRAS and OLT,
//! polled by an edge agent).

use std::net::SocketAddr;

use control_plane::billing::settings::GatewayKind;
use control_plane::config::{Config, Secret};
use control_plane::demo::site::DemoSite;

pub struct Demo {
    pub base: String,
    pub site: Option<DemoSite>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<Result<(), control_plane::app::StartError>>>,
    _dir: tempfile::TempDir,
}

impl Demo {
    pub async fn start() -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api: SocketAddr = listener.local_addr().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            jwt_secret: Some(Secret::new("browser-test-secret-browser-test-secret")),
            ..Config::default()
        };
        // Bills are paid at the sandbox gateway, whose page this server serves.
        config.billing.gateway = GatewayKind::Sandbox;
        config.billing.public_url = Some(format!("http://{api}"));
        let store = control_plane::app::open_store(&config).await.unwrap();
        control_plane::demo::seed(&store).await.unwrap();
        let state = control_plane::app::build_state(&config, store.clone()).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(control_plane::app::serve(state, listener, async {
            let _ = stopped.await;
        }));
        let site = control_plane::demo::site::start(&store, dir.path(), api)
            .await
            .unwrap();
        Demo {
            base: format!("http://{api}"),
            site: Some(site),
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        }
    }

    /// Stops the demo site's agent (and its simulated devices).
    pub async fn stop_site(&mut self) {
        if let Some(site) = self.site.take() {
            site.stop().await;
        }
    }

    pub async fn stop(mut self) {
        self.stop_site().await;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}
