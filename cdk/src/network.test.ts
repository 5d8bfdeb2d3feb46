import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, onlyResource, resourcesOf, synthDefault } from './testing/synth';

describe('the network', () => {
  test('is public subnets in two zones, with no NAT gateway and an S3 gateway endpoint', () => {
    const { template } = synthDefault();
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    const subnets = resourcesOf(template, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(2);
    for (const [, subnet] of subnets) expect(subnet.MapPublicIpOnLaunch).toBe(true);
    // Zones from Fn::GetAZs: no account lookup at synthesis.
    expect(subnets.map(([, s]) => s.AvailabilityZone)).toEqual([0, 1].map((i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })));
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      // Every route table of the VPC (there are only the two public ones).
      RouteTableIds: resourcesOf(template, 'AWS::EC2::RouteTable').map(([id]) => ({ Ref: id })),
    });
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
  });

  test("gives the Batch instances a security group without any inbound rule, and empties the VPC's default one", () => {
    const { template, stack } = synthDefault();
    const [, group] = onlyResource(template, 'AWS::EC2::SecurityGroup');
    expect(group.SecurityGroupIngress).toBeUndefined();
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ SecurityGroupIds: [{ 'Fn::GetAtt': [logicalId(stack.network.securityGroup), 'GroupId'] }] }),
    });
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });
});
