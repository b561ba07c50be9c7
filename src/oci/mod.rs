//! OCI images: references, the registry client, manifests and layer
//! application into a tree (format-spec/oci.md).

pub mod fetch;
pub mod layer;
pub mod manifest;
pub mod record;
pub mod reference;
pub mod registry;
