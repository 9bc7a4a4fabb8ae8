//! Media in an S3-compatible store (AWS S3, MinIO, ...), through aws-sdk-s3. Path-style
//! addressing (`endpoint/bucket/key`) is forced, since most S3-compatible servers do not
//! answer per-bucket host names. The bucket is created at start when it is missing.
//! Clients upload and download with presigned URLs; an upload URL signs its content type
//! and length.

use std::time::Duration;

use anyhow::Context;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_sdk_s3::Client;

use super::{BlobError, BlobResult, BlobStore, Disposition, ObjectInfo, SignedRequest};
use crate::config::Config;

/// The region when none is configured; what MinIO and most S3-compatible servers expect.
const DEFAULT_REGION: &str = "us-east-1";

pub struct S3Blobs {
    client: Client,
    /// Signs the URLs clients use: the same client, or one naming the public endpoint.
    presigner: Client,
    bucket: String,
}

impl S3Blobs {
    /// A client for `bucket` on the configured endpoint (AWS itself when none), with the
    /// configured static keys; creates the bucket when it does not exist.
    pub async fn connect(config: &Config, bucket: &str) -> anyhow::Result<Self> {
        let region = config.s3_region.clone().unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let access = config.s3_access_key.as_ref().context("CONFAB_S3_ACCESS_KEY is required with CONFAB_S3_BUCKET")?;
        let secret = config.s3_secret_key.as_ref().context("CONFAB_S3_SECRET_KEY is required with CONFAB_S3_BUCKET")?;
        let credentials = Credentials::new(access.expose(), secret.expose(), None, None, "confab-config");
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .credentials_provider(credentials)
            .force_path_style(true);
        if let Some(endpoint) = &config.s3_endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        let client = Client::from_conf(builder.clone().build());
        // Presigning is local computation: a client naming the public endpoint never connects.
        let presigner = match &config.s3_public_endpoint {
            Some(public) => Client::from_conf(builder.endpoint_url(public).build()),
            None => client.clone(),
        };
        let blobs = S3Blobs { client, presigner, bucket: bucket.to_owned() };
        blobs.ensure_bucket(&region).await?;
        Ok(blobs)
    }

    async fn ensure_bucket(&self, region: &str) -> anyhow::Result<()> {
        if self.client.head_bucket().bucket(&self.bucket).send().await.is_ok() {
            return Ok(());
        }
        let mut create = self.client.create_bucket().bucket(&self.bucket);
        // us-east-1 is the one region that takes no location constraint.
        if region != DEFAULT_REGION {
            let constraint = BucketLocationConstraint::from(region);
            create = create.create_bucket_configuration(CreateBucketConfiguration::builder().location_constraint(constraint).build());
        }
        match create.send().await {
            Ok(_) => {
                tracing::info!(bucket = %self.bucket, "created the media bucket");
                Ok(())
            }
            Err(e) if e.as_service_error().is_some_and(|e| e.is_bucket_already_owned_by_you()) => Ok(()),
            Err(e) => Err(anyhow::Error::new(e.into_service_error()).context(format!("creating bucket {}", self.bucket))),
        }
    }
}

fn presigning(ttl: Duration) -> BlobResult<PresigningConfig> {
    PresigningConfig::expires_in(ttl).map_err(BlobError::new)
}

/// The error's own words, with the service's code when there is one.
fn failure<E: std::error::Error + 'static, R: std::fmt::Debug>(e: aws_sdk_s3::error::SdkError<E, R>) -> BlobError {
    BlobError::new(aws_sdk_s3::error::DisplayErrorContext(e))
}

#[async_trait::async_trait]
impl BlobStore for S3Blobs {
    fn kind(&self) -> &'static str {
        "s3"
    }

    async fn presign_put(&self, key: &str, content_type: &str, length: i64, ttl: Duration) -> BlobResult<SignedRequest> {
        let expires_at = chrono::Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
        let request = self
            .presigner
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(presigning(ttl)?)
            .await
            .map_err(failure)?;
        let headers = request.headers().map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned())).collect();
        Ok(SignedRequest { url: request.uri().to_owned(), method: "PUT", headers, expires_at })
    }

    async fn presign_get(&self, key: &str, content_type: &str, disposition: Disposition, ttl: Duration) -> BlobResult<String> {
        let request = self
            .presigner
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_type(content_type)
            .response_content_disposition(disposition.header())
            .presigned(presigning(ttl)?)
            .await
            .map_err(failure)?;
        Ok(request.uri().to_owned())
    }

    async fn head(&self, key: &str) -> BlobResult<Option<ObjectInfo>> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(object) => Ok(Some(ObjectInfo {
                size: object.content_length().unwrap_or_default(),
                content_type: object.content_type().map(str::to_owned),
            })),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(e) => Err(failure(e)),
        }
    }

    async fn read(&self, key: &str, max: u64) -> BlobResult<Vec<u8>> {
        let range = format!("bytes=0-{}", max.saturating_sub(1));
        let object = self.client.get_object().bucket(&self.bucket).key(key).range(range).send().await.map_err(failure)?;
        let bytes = object.body.collect().await.map_err(BlobError::new)?.into_bytes();
        // A server that ignores the range still gives no more than `max` to the caller.
        Ok(bytes.slice(..bytes.len().min(max as usize)).to_vec())
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> BlobResult<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(failure)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> BlobResult<()> {
        self.client.delete_object().bucket(&self.bucket).key(key).send().await.map_err(failure)?;
        Ok(())
    }

    async fn ping(&self) -> bool {
        self.client.head_bucket().bucket(&self.bucket).send().await.is_ok()
    }
}
