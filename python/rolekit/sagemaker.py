"""SageMaker: a least-privilege execution role instead of ``AmazonSageMakerFullAccess``.

    import rolekit
    policy = rolekit.sagemaker.execution_policy(s3=["s3://my-bucket/projects/churn"])
    change = rolekit.Client().sagemaker_execution_role(s3=["s3://my-bucket/projects/churn"])
    role_arn = rolekit.Client().execution_role()   # the role to hand to a training job

The policy lets a job read and write under the given S3 prefixes only (``s3:ListBucket`` limited to
them with ``s3:prefix``), write its logs to ``/aws/sagemaker/*`` log groups and its metrics to the
SageMaker CloudWatch namespaces, pull images from the named ECR repositories (the ECR login,
``ecr:GetAuthorizationToken``, is account-wide by AWS's design), and use KMS keys and VPC network
interfaces only when asked. It has no ``*`` action, no IAM action and no ``iam:PassRole``.
"""

from __future__ import annotations

from ._rolekit import sagemaker_execution_policy as execution_policy

__all__ = ["INLINE_POLICY_NAME", "METADATA_PATH", "execution_policy"]

#: Where SageMaker notebook instances and Studio apps describe themselves.
METADATA_PATH = "/opt/ml/metadata/resource-metadata.json"
#: The inline policy ``Client.sagemaker_execution_role`` puts on the role.
INLINE_POLICY_NAME = "rolekit-sagemaker-execution"
