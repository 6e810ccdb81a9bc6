//! AWS global condition context keys (`aws:*`) with their types, from the IAM User Guide's
//! "AWS global condition context keys". A trailing `/` marks a key that takes a suffix
//! (`aws:PrincipalTag/team`).

/// `(key, type)`; types use the service reference's names.
pub const GLOBAL_KEYS: &[(&str, &str)] = &[
    ("aws:AssumedRoot", "Bool"),
    ("aws:CalledVia", "ArrayOfString"),
    ("aws:CalledViaFirst", "String"),
    ("aws:CalledViaLast", "String"),
    ("aws:ChatbotSourceArn", "ARN"),
    ("aws:CurrentTime", "Date"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"),
    ("aws:Ec2InstanceSourceVpc", "String"),
    ("aws:EpochTime", "Date"),
    ("aws:FederatedProvider", "String"),
    ("aws:IsMcpServiceAction", "Bool"),
    ("aws:MultiFactorAuthAge", "Numeric"),
    ("aws:MultiFactorAuthPresent", "Bool"),
    ("aws:PrincipalAccount", "String"),
    ("aws:PrincipalArn", "ARN"),
    ("aws:PrincipalIsAWSService", "Bool"),
    ("aws:PrincipalOrgID", "String"),
    ("aws:PrincipalOrgMasterAccountId", "String"),
    ("aws:PrincipalOrgPaths", "ArrayOfString"),
    ("aws:PrincipalServiceName", "String"),
    ("aws:PrincipalServiceNamesList", "ArrayOfString"),
    ("aws:PrincipalTag/", "String"),
    ("aws:PrincipalType", "String"),
    ("aws:referer", "String"),
    ("aws:RequestedRegion", "String"),
    ("aws:RequestTag/", "String"),
    ("aws:ResourceAccount", "String"),
    ("aws:ResourceOrgID", "String"),
    ("aws:ResourceOrgPaths", "ArrayOfString"),
    ("aws:ResourceTag/", "String"),
    ("aws:SecureTransport", "Bool"),
    ("aws:SourceAccount", "String"),
    ("aws:SourceArn", "ARN"),
    ("aws:SourceIdentity", "String"),
    ("aws:SourceIp", "IPAddress"),
    ("aws:SourceOrgID", "String"),
    ("aws:SourceOrgPaths", "ArrayOfString"),
    ("aws:SourceVpc", "String"),
    ("aws:SourceVpcArn", "ARN"),
    ("aws:SourceVpce", "String"),
    ("aws:TagKeys", "ArrayOfString"),
    ("aws:TokenIssueTime", "Date"),
    ("aws:UserAgent", "String"),
    ("aws:userid", "String"),
    ("aws:username", "String"),
    ("aws:ViaAWSService", "Bool"),
    ("aws:VpceAccount", "String"),
    ("aws:VpceOrgID", "String"),
    ("aws:VpceOrgPaths", "ArrayOfString"),
    ("aws:VpcSourceIp", "IPAddress"),
];

/// Find a global key, ignoring case; suffix keys (`aws:PrincipalTag/x`) need a non-empty suffix.
pub fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
    GLOBAL_KEYS.iter().copied().find(|(k, _)| {
        if k.ends_with('/') {
            key.len() > k.len() && key.get(..k.len()).is_some_and(|p| p.eq_ignore_ascii_case(k))
        } else {
            key.eq_ignore_ascii_case(k)
        }
    })
}
