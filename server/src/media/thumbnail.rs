//! Thumbnails of uploaded images: the longest side at most 320 px, turned upright by the
//! image's EXIF orientation. Decoding is bounded in dimensions and memory, so an image that
//! claims huge dimensions (a decompression bomb) is refused before it is decoded.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

/// The longest side of a thumbnail, in pixels.
pub const SIDE: u32 = 320;

/// The widest and tallest image decoded.
pub const MAX_DIMENSION: u32 = 12_000;

/// The most memory one decode may take.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// Why no thumbnail could be made: the image is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("the image is over {MAX_DIMENSION} pixels wide or tall, or would need too much memory to decode")]
    TooLarge,
    #[error("the image could not be decoded as {0}")]
    Undecodable(String),
}

/// A made thumbnail.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    pub bytes: Vec<u8>,
    /// `image/png` when the image has transparency, else `image/jpeg`.
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

fn refused(file_type: &str) -> impl Fn(ImageError) -> Refused + '_ {
    move |error| match error {
        ImageError::Limits(_) => Refused::TooLarge,
        _ => Refused::Undecodable(file_type.to_owned()),
    }
}

/// Decodes `bytes` as `file_type` within the limits and makes its thumbnail. CPU-bound:
/// call it off the async workers.
pub fn make(bytes: &[u8], file_type: &str) -> Result<Thumbnail, Refused> {
    let format = ImageFormat::from_mime_type(file_type).ok_or_else(|| Refused::Undecodable(file_type.to_owned()))?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refused(file_type))?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(refused(file_type))?;
    image.apply_orientation(orientation);
    if image.width() > SIDE || image.height() > SIDE {
        image = image.thumbnail(SIDE, SIDE);
    }
    encode(&image).map_err(refused(file_type))
}

fn encode(image: &DynamicImage) -> Result<Thumbnail, ImageError> {
    let mut bytes = Vec::new();
    let content_type = if image.color().has_alpha() {
        image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)?;
        "image/png"
    } else {
        JpegEncoder::new_with_quality(&mut bytes, 80).encode_image(&image.to_rgb8())?;
        "image/jpeg"
    };
    Ok(Thumbnail { bytes, content_type, width: image.width(), height: image.height() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        DynamicImage::new_rgb8(width, height).write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).unwrap();
        bytes
    }

    #[test]
    fn the_longest_side_becomes_320_and_small_images_stay() {
        let thumb = make(&png(800, 400), "image/png").unwrap();
        assert_eq!((thumb.width, thumb.height, thumb.content_type), (320, 160, "image/jpeg"));
        let small = make(&png(40, 30), "image/png").unwrap();
        assert_eq!((small.width, small.height), (40, 30));
    }

    #[test]
    fn garbage_and_huge_claims_are_refused() {
        assert_eq!(make(b"\x89PNG\r\n\x1a\nnot really", "image/png").unwrap_err(), Refused::Undecodable("image/png".into()));
        let mut bomb = png(1, 1);
        // IHDR's width and height sit at bytes 16..24; its CRC is not checked before them.
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(make(&bomb, "image/png").is_err());
    }
}
