// SPDX-License-Identifier: EUPL-1.2
pragma solidity 0.8.30;

/// @title IssuerRegistry: the consortium's list of trusted issuers
/// @notice Issuers are the Ethereum accounts that sign anchor and status transactions
/// (one per authority, e.g. a Bürgeramt). Consortium members (one account per
/// municipality) add and remove members and issuers by proposal and strict-majority vote.
/// @dev Voting rule: a proposal executes once `votes * 2 > memberCount`, where both
/// numbers are taken from the *current* member set at the moment of counting. A vote
/// counts only while its voter is still a member in the same membership term: when a
/// member is removed, its votes on open proposals stop counting, and if it is added
/// again later, its old votes stay void (it may vote anew). Removing a member lowers
/// the threshold, so an open proposal may reach a majority without a new vote; any
/// member can then call `execute`. The proposer's vote is cast with the proposal.
/// If the action can no longer be applied at execution (e.g. its target became a
/// member in the meantime), the executing call reverts with the action's error and
/// the proposal stays open until its proposer cancels it.
contract IssuerRegistry {
    /// @notice Role bit: may notarise certificates (e.g. registration certificates).
    uint8 public constant ROLE_CERTIFICATE = 1;
    /// @notice Role bit: may notarise register extracts.
    uint8 public constant ROLE_REGISTER = 2;
    /// @notice Role bit: may anchor IoT sensor readings.
    uint8 public constant ROLE_IOT = 4;
    /// @notice Role bit: may notarise datasets.
    uint8 public constant ROLE_DATASET = 8;
    /// @notice All defined role bits; roles outside this mask are rejected.
    uint8 public constant ALL_ROLES = 15;
    /// @notice Upper bound of an issuer's display name in bytes (UTF-8).
    uint256 public constant MAX_NAME_LENGTH = 128;

    /// @notice What a proposal does when it is executed.
    enum ProposalKind {
        AddMember,
        RemoveMember,
        SetIssuer,
        RemoveIssuer,
        ChangeRoles
    }

    /// @notice Life cycle of a proposal; `None` marks ids never used.
    enum ProposalStatus {
        None,
        Open,
        Executed,
        Cancelled
    }

    /// @notice An issuer as seen by verifiers. All fields are zero for an address that
    /// was never registered (`registeredAt == 0`).
    struct IssuerInfo {
        string name;
        string ags;
        uint8 roles;
        uint64 validFrom;
        uint64 validUntil;
        bool active;
        uint64 registeredAt;
        uint64 removedAt;
    }

    /// @notice A proposal as returned by `getProposal`; `votes` counts current members only.
    struct ProposalInfo {
        ProposalKind kind;
        ProposalStatus status;
        address target;
        address proposer;
        uint64 createdAt;
        uint256 votes;
        string name;
        string ags;
        uint8 roles;
        uint64 validFrom;
        uint64 validUntil;
    }

    /// @dev One storage slot: 8 + 64 + 64 + 40 + 40 bits.
    struct IssuerRecord {
        uint8 roles;
        uint64 validFrom;
        uint64 validUntil;
        uint40 registeredAt;
        uint40 removedAt;
    }

    struct Proposal {
        ProposalKind kind;
        ProposalStatus status;
        address target;
        address proposer;
        uint8 roles;
        uint64 validFrom;
        uint64 validUntil;
        uint40 createdAt;
        string name;
        string ags;
    }

    /// @notice The caller (or the named target of a member removal) is not a member.
    error NotMember(address account);
    /// @notice The account to add is a member already.
    error AlreadyMember(address account);
    /// @notice The constructor needs at least one member.
    error EmptyMemberSet();
    /// @notice The zero address cannot be a member or an issuer.
    error ZeroAddress();
    /// @notice The consortium would be left without members.
    error CannotRemoveLastMember();
    /// @notice No proposal has this id.
    error UnknownProposal(uint256 id);
    /// @notice The proposal was executed or cancelled already.
    error ProposalNotOpen(uint256 id, ProposalStatus status);
    /// @notice This member's vote on this proposal counts already.
    error AlreadyVoted(uint256 id, address member);
    /// @notice `execute` was called before a strict majority of current members voted.
    error MajorityNotReached(uint256 id, uint256 votes, uint256 memberCount);
    /// @notice Only the proposer may cancel a proposal.
    error NotProposer(uint256 id, address account);
    /// @notice Roles must be a non-empty subset of ALL_ROLES.
    error InvalidRoles(uint8 roles);
    /// @notice `validUntil` must be 0 (open end) or not before `validFrom`.
    error InvalidValidity(uint64 validFrom, uint64 validUntil);
    /// @notice The display name is empty or longer than MAX_NAME_LENGTH bytes.
    error InvalidName();
    /// @notice The municipality key is neither an 8-digit AGS nor a 12-digit ARS.
    error InvalidAgs(string ags);
    /// @notice The issuer was never registered, or has been removed.
    error IssuerNotRegistered(address issuer);
    /// @notice A role change must change the roles.
    error RolesUnchanged(address issuer, uint8 roles);

    event MemberAdded(address indexed member);
    event MemberRemoved(address indexed member);
    event IssuerRegistered(
        address indexed issuer, string name, string ags, uint8 roles, uint64 validFrom, uint64 validUntil
    );
    event IssuerUpdated(
        address indexed issuer, string name, string ags, uint8 roles, uint64 validFrom, uint64 validUntil
    );
    event IssuerRemoved(address indexed issuer);
    event RolesChanged(address indexed issuer, uint8 previousRoles, uint8 roles);
    event ProposalCreated(
        uint256 indexed id, ProposalKind indexed kind, address indexed target, address proposer
    );
    event VoteCast(uint256 indexed id, address indexed voter, uint256 votes, uint256 memberCount);
    event ProposalExecuted(uint256 indexed id);
    event ProposalCancelled(uint256 indexed id);

    address[] private _members;
    /// @dev 1-based position in `_members`; 0 = not a member.
    mapping(address => uint256) private _memberPosition;
    /// @dev Membership term of each current member (0 = not a member); see the voting rule.
    mapping(address => uint64) private _memberTerm;
    uint64 private _lastTerm;

    address[] private _issuerList;
    mapping(address => IssuerRecord) private _issuers;
    mapping(address => string) private _names;
    mapping(address => string) private _agsKeys;

    uint256 private _proposalCount;
    mapping(uint256 => Proposal) private _proposals;
    /// @dev proposal id => member => membership term in which the member voted.
    mapping(uint256 => mapping(address => uint64)) private _voteTerm;

    /// @param initialMembers the founding consortium members (non-empty, distinct, non-zero)
    constructor(address[] memory initialMembers) {
        if (initialMembers.length == 0) revert EmptyMemberSet();
        for (uint256 i = 0; i < initialMembers.length; ++i) {
            address member = initialMembers[i];
            if (member == address(0)) revert ZeroAddress();
            if (_memberPosition[member] != 0) revert AlreadyMember(member);
            _addMember(member);
        }
    }

    modifier onlyMember() {
        if (_memberPosition[msg.sender] == 0) revert NotMember(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ proposals

    /// @notice Propose to add `account` as a consortium member.
    /// @return id the new proposal's id (ids start at 1)
    function proposeAddMember(address account) external onlyMember returns (uint256 id) {
        Proposal storage p;
        (id, p) = _newProposal(ProposalKind.AddMember, account);
        _checkAction(p);
        _voteAndMaybeExecute(id, p);
    }

    /// @notice Propose to remove `account` from the consortium.
    function proposeRemoveMember(address account) external onlyMember returns (uint256 id) {
        Proposal storage p;
        (id, p) = _newProposal(ProposalKind.RemoveMember, account);
        _checkAction(p);
        _voteAndMaybeExecute(id, p);
    }

    /// @notice Propose to register `issuer`, or to update its record if registered already.
    /// A removed issuer is registered anew (new `registeredAt`).
    /// @param ags official municipality key: 8-digit AGS or 12-digit ARS
    /// @param validUntil last second of validity, 0 for an open end
    function proposeSetIssuer(
        address issuer,
        string calldata name,
        string calldata ags,
        uint8 roles,
        uint64 validFrom,
        uint64 validUntil
    ) external onlyMember returns (uint256 id) {
        _checkRoles(roles);
        if (validUntil != 0 && validUntil < validFrom) revert InvalidValidity(validFrom, validUntil);
        if (bytes(name).length == 0 || bytes(name).length > MAX_NAME_LENGTH) revert InvalidName();
        _checkAgs(ags);
        Proposal storage p;
        (id, p) = _newProposal(ProposalKind.SetIssuer, issuer);
        p.name = name;
        p.ags = ags;
        p.roles = roles;
        p.validFrom = validFrom;
        p.validUntil = validUntil;
        _checkAction(p);
        _voteAndMaybeExecute(id, p);
    }

    /// @notice Propose to remove `issuer`; its record stays readable with `removedAt` set.
    function proposeRemoveIssuer(address issuer) external onlyMember returns (uint256 id) {
        Proposal storage p;
        (id, p) = _newProposal(ProposalKind.RemoveIssuer, issuer);
        _checkAction(p);
        _voteAndMaybeExecute(id, p);
    }

    /// @notice Propose to replace the roles of a registered `issuer`.
    function proposeChangeRoles(address issuer, uint8 roles) external onlyMember returns (uint256 id) {
        _checkRoles(roles);
        Proposal storage p;
        (id, p) = _newProposal(ProposalKind.ChangeRoles, issuer);
        p.roles = roles;
        _checkAction(p);
        _voteAndMaybeExecute(id, p);
    }

    /// @notice Vote for an open proposal; executes it when the majority is reached.
    function vote(uint256 id) external onlyMember {
        Proposal storage p = _openProposal(id);
        _voteAndMaybeExecute(id, p);
    }

    /// @notice Execute an open proposal that has a majority of the current members,
    /// e.g. after a member removal lowered the threshold.
    function execute(uint256 id) external onlyMember {
        Proposal storage p = _openProposal(id);
        (uint256 votes, uint256 count) = _tally(id);
        if (votes * 2 <= count) revert MajorityNotReached(id, votes, count);
        _execute(id, p);
    }

    /// @notice Withdraw an open proposal. Only its proposer may do so, or any member once
    /// the proposer is no longer a member (so that no proposal is left without an owner).
    function cancel(uint256 id) external onlyMember {
        Proposal storage p = _openProposal(id);
        address proposer = p.proposer;
        if (proposer != msg.sender && _memberPosition[proposer] != 0) {
            revert NotProposer(id, msg.sender);
        }
        p.status = ProposalStatus.Cancelled;
        emit ProposalCancelled(id);
    }

    // ------------------------------------------------------------------ views

    /// @notice True if `issuer` is registered, not removed, and `block.timestamp` lies in
    /// `[validFrom, validUntil]` (`validUntil == 0`: no end).
    function isActive(address issuer) public view returns (bool) {
        IssuerRecord storage r = _issuers[issuer];
        return r.registeredAt != 0 && r.removedAt == 0 && r.validFrom <= block.timestamp
            && (r.validUntil == 0 || block.timestamp <= r.validUntil);
    }

    /// @notice True if `issuer` is active and holds every bit of `role` (`role != 0`).
    function hasRole(address issuer, uint8 role) external view returns (bool) {
        return role != 0 && _issuers[issuer].roles & role == role && isActive(issuer);
    }

    /// @notice The issuer's record; all zero if it was never registered.
    function getIssuer(address issuer) external view returns (IssuerInfo memory info) {
        IssuerRecord storage r = _issuers[issuer];
        info = IssuerInfo({
            name: _names[issuer],
            ags: _agsKeys[issuer],
            roles: r.roles,
            validFrom: r.validFrom,
            validUntil: r.validUntil,
            active: isActive(issuer),
            registeredAt: r.registeredAt,
            removedAt: r.removedAt
        });
    }

    /// @notice Every address ever registered as an issuer, in order of first registration
    /// (removed ones included; `getIssuer` tells their state).
    function issuers() external view returns (address[] memory) {
        return _issuerList;
    }

    /// @notice The current consortium members.
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @notice Number of current members; a proposal passes with more than half of them.
    function memberCount() external view returns (uint256) {
        return _members.length;
    }

    /// @notice True if `account` is a current consortium member.
    function isMember(address account) external view returns (bool) {
        return _memberPosition[account] != 0;
    }

    /// @notice Number of proposals created; ids run from 1 to this number.
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @notice True if `member` is a current member whose vote on `id` counts.
    function hasVoted(uint256 id, address member) public view returns (bool) {
        uint64 term = _memberTerm[member];
        return term != 0 && _voteTerm[id][member] == term;
    }

    /// @notice A proposal with its current vote count; reverts for unknown ids.
    function getProposal(uint256 id) external view returns (ProposalInfo memory info) {
        Proposal storage p = _proposals[id];
        if (p.status == ProposalStatus.None) revert UnknownProposal(id);
        (uint256 votes,) = _tally(id);
        info = ProposalInfo({
            kind: p.kind,
            status: p.status,
            target: p.target,
            proposer: p.proposer,
            createdAt: p.createdAt,
            votes: votes,
            name: p.name,
            ags: p.ags,
            roles: p.roles,
            validFrom: p.validFrom,
            validUntil: p.validUntil
        });
    }

    // ------------------------------------------------------------------ internals

    function _newProposal(ProposalKind kind, address target)
        private
        returns (uint256 id, Proposal storage p)
    {
        if (target == address(0)) revert ZeroAddress();
        id = ++_proposalCount;
        p = _proposals[id];
        p.kind = kind;
        p.status = ProposalStatus.Open;
        p.target = target;
        p.proposer = msg.sender;
        p.createdAt = uint40(block.timestamp);
        emit ProposalCreated(id, kind, target, msg.sender);
    }

    function _openProposal(uint256 id) private view returns (Proposal storage p) {
        p = _proposals[id];
        if (p.status == ProposalStatus.None) revert UnknownProposal(id);
        if (p.status != ProposalStatus.Open) revert ProposalNotOpen(id, p.status);
    }

    function _voteAndMaybeExecute(uint256 id, Proposal storage p) private {
        if (hasVoted(id, msg.sender)) revert AlreadyVoted(id, msg.sender);
        _voteTerm[id][msg.sender] = _memberTerm[msg.sender];
        (uint256 votes, uint256 count) = _tally(id);
        emit VoteCast(id, msg.sender, votes, count);
        if (votes * 2 > count) _execute(id, p);
    }

    /// @dev Counts the votes of current members in their current term: O(members) storage
    /// reads per vote, about 4,200 gas per member; fine for consortia of hundreds.
    function _tally(uint256 id) private view returns (uint256 votes, uint256 count) {
        count = _members.length;
        for (uint256 i = 0; i < count; ++i) {
            if (hasVoted(id, _members[i])) ++votes;
        }
    }

    /// @dev Reverts with the reason the action cannot be applied to the current state.
    /// Arguments that do not depend on state are checked once, when proposing.
    function _checkAction(Proposal storage p) private view {
        address target = p.target;
        ProposalKind kind = p.kind;
        if (kind == ProposalKind.AddMember) {
            if (_memberPosition[target] != 0) revert AlreadyMember(target);
        } else if (kind == ProposalKind.RemoveMember) {
            if (_memberPosition[target] == 0) revert NotMember(target);
            if (_members.length == 1) revert CannotRemoveLastMember();
        } else if (kind != ProposalKind.SetIssuer) {
            if (!_isRegistered(target)) revert IssuerNotRegistered(target);
            if (kind == ProposalKind.ChangeRoles) {
                if (_issuers[target].roles == p.roles) revert RolesUnchanged(target, p.roles);
            }
        }
    }

    function _execute(uint256 id, Proposal storage p) private {
        _checkAction(p);
        p.status = ProposalStatus.Executed;
        address target = p.target;
        ProposalKind kind = p.kind;
        if (kind == ProposalKind.AddMember) {
            _addMember(target);
        } else if (kind == ProposalKind.RemoveMember) {
            _removeMember(target);
        } else if (kind == ProposalKind.SetIssuer) {
            _setIssuer(target, p);
        } else if (kind == ProposalKind.RemoveIssuer) {
            _issuers[target].removedAt = uint40(block.timestamp);
            emit IssuerRemoved(target);
        } else {
            uint8 previous = _issuers[target].roles;
            _issuers[target].roles = p.roles;
            emit RolesChanged(target, previous, p.roles);
        }
        emit ProposalExecuted(id);
    }

    function _addMember(address account) private {
        _members.push(account);
        _memberPosition[account] = _members.length;
        _memberTerm[account] = ++_lastTerm;
        emit MemberAdded(account);
    }

    function _removeMember(address account) private {
        uint256 index = _memberPosition[account] - 1;
        address last = _members[_members.length - 1];
        _members[index] = last;
        _memberPosition[last] = index + 1;
        _members.pop();
        delete _memberPosition[account];
        delete _memberTerm[account];
        emit MemberRemoved(account);
    }

    function _setIssuer(address issuer, Proposal storage p) private {
        IssuerRecord storage r = _issuers[issuer];
        bool isUpdate = _isRegistered(issuer);
        if (r.registeredAt == 0) _issuerList.push(issuer);
        if (!isUpdate) {
            r.registeredAt = uint40(block.timestamp);
            r.removedAt = 0;
        }
        r.roles = p.roles;
        r.validFrom = p.validFrom;
        r.validUntil = p.validUntil;
        _names[issuer] = p.name;
        _agsKeys[issuer] = p.ags;
        if (isUpdate) {
            emit IssuerUpdated(issuer, p.name, p.ags, p.roles, p.validFrom, p.validUntil);
        } else {
            emit IssuerRegistered(issuer, p.name, p.ags, p.roles, p.validFrom, p.validUntil);
        }
    }

    function _isRegistered(address issuer) private view returns (bool) {
        IssuerRecord storage r = _issuers[issuer];
        return r.registeredAt != 0 && r.removedAt == 0;
    }

    function _checkRoles(uint8 roles) private pure {
        if (roles == 0 || roles & ~ALL_ROLES != 0) revert InvalidRoles(roles);
    }

    /// @dev Amtlicher Gemeindeschlüssel (8 digits) or Amtlicher Regionalschlüssel (12 digits).
    function _checkAgs(string calldata ags) private pure {
        bytes calldata key = bytes(ags);
        uint256 length = key.length;
        if (length != 8 && length != 12) revert InvalidAgs(ags);
        for (uint256 i = 0; i < length; ++i) {
            bytes1 c = key[i];
            if (c < "0" || c > "9") revert InvalidAgs(ags);
        }
    }
}
