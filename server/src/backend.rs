//! The UI's [`Backend`] implemented by the services: each method is one call.

use async_trait::async_trait;
use kassa_app::backend::Backend;
use kassa_app::error::AppError;
use kassa_app::model::*;
use tower_sessions::Session;

use crate::services::{admin, auth, payments, portal, Services};

#[async_trait]
impl Backend for Services {
    async fn portal_overview(&self, session: &Session, merchant: &str) -> Result<PortalOverview, AppError> {
        Ok(portal::overview(&self.pool, session, merchant).await?)
    }

    async fn invoice_detail(&self, session: &Session, merchant: &str, number: &str) -> Result<InvoiceDetail, AppError> {
        Ok(portal::invoice(&self.pool, session, merchant, number).await?)
    }

    async fn pay_invoice(&self, session: &Session, merchant: &str, request: PayRequest) -> Result<String, AppError> {
        Ok(payments::pay(&self.pool, self.gateway.as_ref(), session, merchant, request).await?)
    }

    async fn receipt(&self, session: &Session, merchant: &str, payment_id: &str) -> Result<Receipt, AppError> {
        Ok(portal::receipt(&self.pool, session, merchant, payment_id).await?)
    }

    async fn staff_login(&self, session: &Session, email: &str, password: &str) -> Result<(), AppError> {
        Ok(auth::staff_login(&self.pool, session, email, password).await?)
    }

    async fn sign_out(&self, session: &Session) -> Result<(), AppError> {
        Ok(auth::sign_out(session).await?)
    }

    async fn admin_overview(&self, session: &Session) -> Result<AdminOverview, AppError> {
        Ok(admin::overview(&self.pool, session).await?)
    }
}
