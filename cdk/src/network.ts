/**
 * @module network
 * The VPC the Batch instances run in: public subnets in two zones and no NAT gateway (one
 * costs about $33 a month idle, more than many GPU hours; the instances have public IPs
 * instead, with no inbound rule), an S3 gateway endpoint (free, and it keeps the bulk of
 * the traffic, checkpoints and models, off the internet), and flow logs.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface WorkerNetworkProps {
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The VPC and the instances' security group. */
export class WorkerNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  /** The Batch instances' security group: no inbound rule, all outbound (ECR, ECS, Batch, S3). */
  readonly securityGroup: ec2.SecurityGroup;
  /** The subnets the instances are placed in. */
  readonly subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PUBLIC };

  constructor(scope: Construct, id: string, props: WorkerNetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      // Nothing uses the default security group; emptying it means nothing can by mistake.
      restrictDefaultSecurityGroup: true,
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL });
    this.securityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc: this.vpc,
      description: 'carve Batch GPU instances: no inbound traffic',
      allowAllOutbound: true,
    });
  }
}
