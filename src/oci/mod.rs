//! OCI images: references, the registry client, manifests and layer
//! application into a tree (format-spec/oci.md).

pub mod blob;
pub mod credentials;
pub mod error;
pub mod fetch;
pub mod image;
pub mod layer;
pub mod manifest;
pub mod produce;
pub mod pull;
pub mod record;
pub mod reference;
pub mod registry;
pub mod tarlayer;
