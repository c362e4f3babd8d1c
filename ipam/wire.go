package ipam

// The messages allocators send each other start with one of these bytes.
// A ring's encoding starts with 'W', so plain rings, as broadcast and as
// exchanged in full-state syncs, never mix with them.
const (
	// msgSpaceRequest asks its receiver to donate space in a pool; the
	// pool's address (4 bytes) and prefix length (1 byte) follow, then,
	// optionally, the asker's ring.
	msgSpaceRequest byte = 1
	// msgSpaceAnswer answers it; the donor's ring after the donation (if
	// any) follows.
	msgSpaceAnswer byte = 2
	// msgPaxos carries a consensus message (package paxos) after the range
	// (4 address bytes and the prefix length), so that peers dividing other
	// ranges never vote together.
	msgPaxos byte = 3
	// msgClaimRequest asks the owner of an address (4 bytes follow) to give
	// the claimer the block that holds it.
	msgClaimRequest byte = 4
	// msgClaimAnswer answers it: the address (4 bytes), a claim code (1
	// byte), then the owner's ring.
	msgClaimAnswer byte = 5
	// msgHandoverOffer offers the receiver space: the giver's ring with the
	// space already given to the receiver follows.
	msgHandoverOffer byte = 6
	// msgHandoverAck says the receiver took the offer and committed it; its
	// ring follows.
	msgHandoverAck byte = 7
	// msgHandoverRefuse says the receiver did not take the offer; the reason
	// follows as text.
	msgHandoverRefuse byte = 8
)

// The claim codes of msgClaimAnswer.
const (
	// claimGiven: the block holding the address was transferred to the
	// claimer; the ring that follows says so.
	claimGiven byte = 1
	// claimInUse: the address is allocated on the owner.
	claimInUse byte = 2
	// claimNotOwner: the receiver does not own the address (any more); its
	// ring tells the claimer who does.
	claimNotOwner byte = 3
	// claimBusy: the owner is handing its space over and gives nothing.
	claimBusy byte = 4
)
