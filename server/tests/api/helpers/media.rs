//! Uploads through the signed URLs the server hands out, from a plain HTTP client, and
//! images made for the tests.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use serde_json::{json, Value};

use super::{s, Reply, TestApp};

/// An answered upload URL.
pub struct UploadUrl {
    pub media_id: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
}

impl TestApp {
    /// Asks for an upload URL; returns the reply as it is.
    pub async fn ask_upload(&self, token: &str, name: &str, file_type: &str, size: usize) -> Reply {
        self.post("/v1/chat/media/upload-url")
            .bearer(token)
            .json(json!({"file_name": name, "file_type": file_type, "file_size": size}))
            .send()
            .await
    }

    /// An upload URL for `size` bytes of `file_type`.
    pub async fn upload_url(&self, token: &str, name: &str, file_type: &str, size: usize) -> UploadUrl {
        let reply = self.ask_upload(token, name, file_type, size).await.expect(201, None);
        let data = reply.data();
        assert_eq!(data["method"], "PUT");
        let headers = data["headers"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), s(v).to_owned())).collect();
        UploadUrl { media_id: s(&data["media_id"]).to_owned(), url: s(&data["upload_url"]).to_owned(), headers }
    }

    /// A signed URL made absolute: relative ones are this server's.
    pub fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{url}", self.address)
        } else {
            url.to_owned()
        }
    }

    /// PUTs `body` to the URL with its headers (reqwest sets the length from the body);
    /// returns the status.
    pub async fn put_bytes(&self, upload: &UploadUrl, body: Vec<u8>) -> u16 {
        let mut request = self.client.put(self.absolute(&upload.url));
        for (name, value) in &upload.headers {
            if name != "content-length" {
                request = request.header(name, value);
            }
        }
        let response = request.body(body).send().await.expect("upload sent");
        response.status().as_u16()
    }

    /// Uploads `body` as `file_type` and confirms it; returns the media id.
    pub async fn upload(&self, token: &str, name: &str, file_type: &str, body: Vec<u8>) -> String {
        let upload = self.upload_url(token, name, file_type, body.len()).await;
        assert_eq!(self.put_bytes(&upload, body).await, 200, "upload");
        self.confirm(token, &upload.media_id, json!({})).await.expect(200, None);
        upload.media_id
    }

    pub async fn confirm(&self, token: &str, media_id: &str, body: Value) -> Reply {
        self.post(&format!("/v1/chat/media/{media_id}/confirm")).bearer(token).json(body).send().await
    }

    /// GETs a signed URL; returns the status and the bytes.
    pub async fn fetch(&self, url: &str) -> (u16, Vec<u8>) {
        let response = self.client.get(self.absolute(url)).send().await.expect("download sent");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("download read").to_vec())
    }

    /// Whether the blob store still holds `key`.
    pub async fn blob_exists(&self, key: &str) -> bool {
        self.state.blobs.head(key).await.expect("blob store answers").is_some()
    }

    /// The blob key of media `id` uploaded by `user_id`.
    pub async fn media_key(&self, user_id: &str, id: &str) -> String {
        confab_server::domain::media::object_key(&self.tenant_of(user_id).await, id)
    }
}

/// An image of `width` x `height` in `format`.
pub fn image_bytes(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    DynamicImage::new_rgb8(width, height).write_to(&mut Cursor::new(&mut bytes), format).unwrap();
    bytes
}

/// The width and height of an encoded image.
pub fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let image = image::load_from_memory(bytes).expect("a decodable image");
    (image.width(), image.height())
}

/// A JPEG whose EXIF data says "rotate 90° clockwise to show" (orientation 6).
pub fn rotated_jpeg(width: u32, height: u32) -> Vec<u8> {
    let jpeg = image_bytes(width, height, ImageFormat::Jpeg);
    // APP1 "Exif", a big-endian TIFF header, one IFD entry: Orientation (0x0112), SHORT, 6.
    let tiff: &[u8] = &[
        b'M', b'M', 0, 42, 0, 0, 0, 8, // header, IFD at 8
        0, 1, // one entry
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // orientation = 6
        0, 0, 0, 0, // no next IFD
    ];
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A small PNG whose header claims `side` x `side` pixels, with a valid header checksum:
/// a decompression bomb as far as any decoder can tell before decoding.
pub fn png_claiming(side: u32) -> Vec<u8> {
    let mut png = image_bytes(1, 1, ImageFormat::Png);
    png[16..20].copy_from_slice(&side.to_be_bytes());
    png[20..24].copy_from_slice(&side.to_be_bytes());
    // The CRC covers the chunk type and data: bytes 12..29; it sits at 29..33.
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
