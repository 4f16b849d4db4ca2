// aws-embedded-metrics picks where to send metrics when it is first loaded, probing metadata endpoints
// unless told. Imported before it: records go to stdout, where the awslogs driver ships them.
process.env.AWS_EMF_ENVIRONMENT ??= "Local";
process.env.AWS_EMF_NAMESPACE ??= "HandsOffOps/Service";
