//! Newtype ids. Each indexes a `Vec` in `Cluster`, so iterating in id order is the
//! deterministic order of everything the model does.

macro_rules! id {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub struct $name(pub $inner);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A container instance, in registration order.
    InstanceId(u32)
);
id!(
    /// A task, in creation order.
    TaskId(u32)
);
id!(
    /// A service, in scenario order.
    ServiceId(u32)
);
id!(
    /// A task definition revision, in scenario order.
    TaskDefId(u32)
);
id!(
    /// An Availability Zone, in the order of `cluster.availabilityZones`.
    ZoneId(u16)
);
id!(
    /// An Auto Scaling group, in scenario order.
    AsgId(u16)
);
id!(
    /// A task group (`service:NAME`, `family:NAME` or a RunTask's own group), interned.
    GroupId(u32)
);
