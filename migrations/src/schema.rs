//! The portable diesel schema: only types both SQLite and PostgreSQL share.
//! Written to match `../sqlite` and `../postgres`; `tests/tests/schema.rs`
//! checks that both trees produce exactly these tables and columns.

diesel::table! {
    municipalities (teryt) {
        teryt -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    residents (id) {
        id -> Text,
        municipality -> Text,
        pesel -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        address -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        created_at -> Timestamp,
        birth_year -> Nullable<Integer>,
        sex -> Nullable<Text>,
        anonymised_at -> Nullable<Timestamp>,
        held_at -> Nullable<Timestamp>,
        held_reason -> Nullable<Text>,
        restricted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        municipality -> Nullable<Text>,
        organization_id -> Nullable<Text>,
        resident_id -> Nullable<Text>,
        display_name -> Text,
        locale -> Text,
        email_confirmed_at -> Nullable<Timestamp>,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        purpose -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        kind -> Text,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email -> Text,
        address -> Text,
        succeeded -> Bool,
        at -> Timestamp,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        municipality -> Text,
        code -> Text,
        name -> Text,
        area -> Text,
        standard -> Text,
        variant -> Text,
        phase -> Text,
        fee_rule -> Text,
        access_criteria -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_counters (municipality, year) {
        municipality -> Text,
        year -> Integer,
        last_number -> Integer,
    }
}

diesel::table! {
    requests (id) {
        id -> Text,
        municipality -> Text,
        case_number -> Text,
        resident_id -> Text,
        service_id -> Nullable<Text>,
        description -> Text,
        channel -> Text,
        status -> Text,
        assigned_role -> Nullable<Text>,
        deadline -> Date,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        assigned_to -> Nullable<Text>,
    }
}

diesel::table! {
    request_events (id) {
        id -> Text,
        request_id -> Text,
        actor_id -> Nullable<Text>,
        status -> Text,
        assigned_role -> Nullable<Text>,
        note -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    request_messages (id) {
        id -> Text,
        request_id -> Text,
        author_id -> Text,
        from_role -> Text,
        to_role -> Text,
        kind -> Text,
        body -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    plans (id) {
        id -> Text,
        municipality -> Text,
        resident_id -> Text,
        request_id -> Nullable<Text>,
        coordinator_id -> Text,
        status -> Text,
        goals -> Text,
        needs -> Text,
        resident_commitments -> Text,
        application_date -> Date,
        deadline -> Date,
        review_date -> Nullable<Date>,
        consent_at -> Nullable<Timestamp>,
        consent_recorded_by -> Nullable<Text>,
        approved_by -> Nullable<Text>,
        approved_at -> Nullable<Timestamp>,
        closing_summary -> Nullable<Text>,
        outcome -> Nullable<Text>,
        overdue -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    plan_items (id) {
        id -> Text,
        plan_id -> Text,
        service_id -> Text,
        provider -> Text,
        provider_agreement_id -> Nullable<Text>,
        frequency -> Text,
        hours_per_month -> Nullable<Integer>,
        start_date -> Date,
        end_date -> Date,
        created_at -> Timestamp,
        status -> Text,
    }
}

diesel::table! {
    plan_events (id) {
        id -> Text,
        plan_id -> Text,
        actor_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        actor_id -> Nullable<Text>,
        municipality -> Nullable<Text>,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        message_id -> Text,
        template -> Text,
        locale -> Text,
        context -> Text,
        to_address -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
    }
}

diesel::table! {
    job_runs (job, slot) {
        job -> Text,
        slot -> Text,
        claimed_by -> Text,
        claimed_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
    }
}

// Contracting (migration 2).

diesel::table! {
    organizations (id) {
        id -> Text,
        municipality -> Text,
        name -> Text,
        legal_form -> Text,
        krs -> Nullable<Text>,
        nip -> Text,
        regon -> Text,
        address -> Text,
        postal_code -> Text,
        city -> Text,
        email -> Text,
        phone -> Nullable<Text>,
        iban -> Nullable<Text>,
        alerts -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    programs (id) {
        id -> Text,
        municipality -> Text,
        title -> Text,
        year_from -> Integer,
        year_to -> Integer,
        goals -> Text,
        priorities -> Text,
        forms -> Text,
        yearly_funds -> Text,
        budget_grosze -> BigInt,
        competition_rules -> Text,
        status -> Text,
        consultation_until -> Nullable<Date>,
        resolution_number -> Nullable<Text>,
        resolution_date -> Nullable<Date>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    program_comments (id) {
        id -> Text,
        program_id -> Text,
        author_id -> Text,
        organization_id -> Nullable<Text>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    competitions (id) {
        id -> Text,
        municipality -> Text,
        program_id -> Nullable<Text>,
        title -> Text,
        task -> Text,
        service_code -> Nullable<Text>,
        financing -> Text,
        funds_grosze -> BigInt,
        period_start -> Date,
        period_end -> Date,
        offer_deadline -> Date,
        award_rules -> Text,
        conditions -> Text,
        award_procedure -> Text,
        prior_funding -> Text,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        program_service_id -> Nullable<Text>,
    }
}

diesel::table! {
    criteria (id) {
        id -> Text,
        competition_id -> Text,
        position -> Integer,
        name -> Text,
        weight -> Integer,
        max_points -> Integer,
    }
}

diesel::table! {
    offers (id) {
        id -> Text,
        competition_id -> Text,
        organization_id -> Text,
        title -> Text,
        description -> Text,
        schedule -> Text,
        expected_results -> Text,
        indicators -> Text,
        bidder_profile -> Text,
        requested_grosze -> BigInt,
        own_contribution_grosze -> BigInt,
        in_kind_grosze -> BigInt,
        volunteer_hours -> Integer,
        declarations -> Bool,
        status -> Text,
        formal_note -> Nullable<Text>,
        awarded_grosze -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    budget_lines (id) {
        id -> Text,
        offer_id -> Text,
        position -> Integer,
        year -> Integer,
        category -> Text,
        name -> Text,
        amount_grosze -> BigInt,
    }
}

diesel::table! {
    commission_members (competition_id, user_id) {
        competition_id -> Text,
        user_id -> Text,
        declared_at -> Nullable<Timestamp>,
        no_conflict -> Nullable<Bool>,
        statement -> Nullable<Text>,
    }
}

diesel::table! {
    scores (id) {
        id -> Text,
        offer_id -> Text,
        member_id -> Text,
        criterion_id -> Text,
        points -> Integer,
        note -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    agreements (id) {
        id -> Text,
        municipality -> Text,
        organization_id -> Text,
        competition_id -> Nullable<Text>,
        offer_id -> Nullable<Text>,
        number -> Text,
        title -> Text,
        mode -> Text,
        financing -> Text,
        start_date -> Date,
        end_date -> Date,
        indicators -> Text,
        capacity_unit -> Nullable<Text>,
        capacity_per_year -> Nullable<Integer>,
        status -> Text,
        public_comment_until -> Nullable<Date>,
        terminated_at -> Nullable<Timestamp>,
        termination_reason -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        program_service_id -> Nullable<Text>,
    }
}

diesel::table! {
    tranches (id) {
        id -> Text,
        agreement_id -> Text,
        year -> Integer,
        amount_grosze -> BigInt,
    }
}

diesel::table! {
    annexes (id) {
        id -> Text,
        agreement_id -> Text,
        reason -> Text,
        changes -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reports (id) {
        id -> Text,
        agreement_id -> Text,
        kind -> Text,
        period -> Text,
        body -> Text,
        spent_grosze -> BigInt,
        spent_own_grosze -> BigInt,
        indicator_values -> Text,
        submitted_by -> Text,
        submitted_at -> Timestamp,
    }
}

// What reminder jobs sent (migration 13).

diesel::table! {
    sent_reminders (agreement_id, kind, day) {
        agreement_id -> Text,
        kind -> Text,
        day -> Date,
        outbox_id -> Text,
        created_at -> Timestamp,
    }
}

// Community (migration 3). The SQLite FTS5 table forum_search is queried with raw SQL.

diesel::table! {
    communities (id) {
        id -> Text,
        municipality -> Text,
        name -> Text,
        kind -> Text,
        diagnosis -> Text,
        resources -> Text,
        goals -> Text,
        stages -> Text,
        organizer_id -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        municipality -> Text,
        community_id -> Text,
        day -> Date,
        title -> Text,
        kind -> Text,
        dimension -> Text,
        participants -> Integer,
        volunteers -> Integer,
        volunteer_hours -> Integer,
        partners -> Text,
        outcome -> Text,
        follow_up -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_members (user_id) {
        user_id -> Text,
        municipality -> Text,
        active -> Bool,
        notify -> Text,
        calendar_token -> Text,
        joined_at -> Timestamp,
    }
}

diesel::table! {
    threads (id) {
        id -> Text,
        municipality -> Text,
        kind -> Text,
        title -> Text,
        author_id -> Text,
        document -> Nullable<Text>,
        closes_on -> Nullable<Date>,
        summary -> Nullable<Text>,
        meeting_at -> Nullable<Timestamp>,
        place -> Nullable<Text>,
        agenda -> Nullable<Text>,
        minutes -> Nullable<Text>,
        participants -> Text,
        linked_type -> Nullable<Text>,
        linked_id -> Nullable<Text>,
        created_at -> Timestamp,
        last_post_at -> Timestamp,
    }
}

diesel::table! {
    posts (id) {
        id -> Text,
        thread_id -> Text,
        author_id -> Text,
        body -> Text,
        hidden -> Bool,
        hidden_reason -> Nullable<Text>,
        hidden_by -> Nullable<Text>,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    post_revisions (id) {
        id -> Text,
        post_id -> Text,
        editor_id -> Text,
        body -> Text,
        replaced_at -> Timestamp,
    }
}

diesel::table! {
    forum_notifications (id) {
        id -> Text,
        user_id -> Text,
        thread_id -> Text,
        kind -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

// Assessment and benchmarking (migration 14). Figures in hundredths.
diesel::table! {
    indicators (code) {
        code -> Text,
        name -> Text,
        kind -> Text,
        unit -> Text,
        higher_is_better -> Bool,
        subjects -> Text,
        source -> Text,
        formula -> Nullable<Text>,
        target_centi -> Nullable<BigInt>,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicator_sets (code) {
        code -> Text,
        name -> Text,
        cadence -> Text,
        indicators -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assessment_runs (id) {
        id -> Text,
        municipality -> Text,
        period -> Text,
        status -> Text,
        origin -> Text,
        started_by -> Nullable<Text>,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        results -> Integer,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    assessment_results (id) {
        id -> Text,
        run_id -> Nullable<Text>,
        municipality -> Text,
        indicator -> Text,
        period -> Text,
        subject_type -> Text,
        subject_id -> Text,
        value_centi -> Nullable<BigInt>,
        suppressed -> Bool,
        inputs -> Text,
        latest -> Bool,
        entered_by -> Nullable<Text>,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    assessment_result_sets (run_id, indicator, subject_type) {
        run_id -> Text,
        indicator -> Text,
        subject_type -> Text,
        municipality -> Text,
        period -> Text,
        latest -> Bool,
        figures -> Text,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    surveys (id) {
        id -> Text,
        municipality -> Text,
        title -> Text,
        agreement_id -> Nullable<Text>,
        service_code -> Nullable<Text>,
        period -> Text,
        questions -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    survey_codes (code_hash) {
        code_hash -> Text,
        survey_id -> Text,
        channel -> Text,
        interviewer_id -> Nullable<Text>,
        used -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    survey_responses (id) {
        id -> Text,
        survey_id -> Text,
        day -> Date,
        answers -> Text,
    }
}

diesel::table! {
    benchmark_groups (id) {
        id -> Text,
        name -> Text,
        coordinator -> Text,
        indicators -> Text,
        services -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    benchmark_members (group_id, municipality) {
        group_id -> Text,
        municipality -> Text,
        population -> Nullable<Integer>,
        profile -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    benchmark_meetings (id) {
        id -> Text,
        group_id -> Text,
        day -> Date,
        host -> Text,
        agenda -> Text,
        lead_topics -> Text,
        good_practices -> Text,
        decisions -> Text,
        next_host -> Nullable<Text>,
        attendance -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    benchmark_rounds (id) {
        id -> Text,
        group_id -> Text,
        period -> Text,
        deadline -> Date,
        indicators -> Text,
        status -> Text,
        created_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    benchmark_values (round_id, municipality, indicator) {
        round_id -> Text,
        municipality -> Text,
        indicator -> Text,
        value_centi -> Nullable<BigInt>,
        submitted_by -> Text,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    corrective_actions (id) {
        id -> Text,
        municipality -> Text,
        indicator -> Text,
        period -> Text,
        subject_type -> Text,
        subject_id -> Text,
        group_id -> Nullable<Text>,
        meeting_id -> Nullable<Text>,
        title -> Text,
        plan -> Text,
        steps -> Text,
        owner_id -> Nullable<Text>,
        funding -> Text,
        expected_effect -> Text,
        due_date -> Date,
        status -> Text,
        baseline_centi -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    corrective_events (id) {
        id -> Text,
        action_id -> Text,
        actor_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    corrective_reminders (action_id, day) {
        action_id -> Text,
        day -> Date,
        outbox_id -> Text,
    }
}

diesel::table! {
    diagnoses (id) {
        id -> Text,
        municipality -> Text,
        title -> Text,
        period_from -> Date,
        period_to -> Date,
        needs -> Text,
        potential -> Text,
        status -> Text,
        figures -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    social_programs (id) {
        id -> Text,
        municipality -> Text,
        lineage -> Text,
        version -> Integer,
        amends -> Nullable<Text>,
        diagnosis_id -> Nullable<Text>,
        title -> Text,
        year_from -> Integer,
        year_to -> Integer,
        goals -> Text,
        status -> Text,
        consultation_until -> Nullable<Date>,
        resolution_number -> Nullable<Text>,
        resolution_date -> Nullable<Date>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    social_program_services (program_id, id) {
        program_id -> Text,
        id -> Text,
        position -> Integer,
        service_code -> Text,
        target_group -> Text,
        delivery -> Text,
        years -> Text,
        indicators -> Text,
    }
}

diesel::table! {
    social_program_events (id) {
        id -> Text,
        program_id -> Text,
        status -> Text,
        actor_id -> Text,
        resolution_number -> Nullable<Text>,
        resolution_date -> Nullable<Date>,
        at -> Timestamp,
    }
}

diesel::table! {
    social_program_comments (id) {
        id -> Text,
        program_id -> Text,
        author_id -> Text,
        author_kind -> Text,
        body -> Text,
        created_at -> Timestamp,
        answer -> Nullable<Text>,
        accepted -> Nullable<Bool>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    social_program_evaluations (program_id, year) {
        program_id -> Text,
        year -> Integer,
        report -> Text,
        published_by -> Text,
        published_at -> Timestamp,
    }
}

// Data protection (migration 22).

diesel::table! {
    privacy_requests (id) {
        id -> Text,
        municipality -> Text,
        resident_id -> Text,
        kind -> Text,
        text -> Text,
        status -> Text,
        due -> Date,
        filed_by -> Text,
        filed_at -> Timestamp,
        decision -> Nullable<Text>,
        reason -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    districts (id) {
        id -> Text,
        municipality -> Text,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    district_workers (district_id, user_id) {
        district_id -> Text,
        user_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    households (id) {
        id -> Text,
        municipality -> Text,
        district_id -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    household_members (household_id, resident_id) {
        household_id -> Text,
        resident_id -> Text,
        relation -> Text,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        municipality -> Text,
        request_id -> Text,
        message_id -> Text,
        status -> Text,
        suggested_to -> Nullable<Text>,
        referred_by -> Text,
        accepted_by -> Nullable<Text>,
        accepted_at -> Nullable<Timestamp>,
        done_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        delivered -> Nullable<Bool>,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referral_events (id) {
        id -> Text,
        referral_id -> Text,
        actor_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    social_contracts (id) {
        id -> Text,
        municipality -> Text,
        resident_id -> Text,
        worker_id -> Text,
        goals -> Text,
        start_date -> Date,
        end_date -> Date,
        status -> Text,
        reason -> Nullable<Text>,
        ended_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contract_commitments (contract_id, position) {
        contract_id -> Text,
        position -> Integer,
        party -> Text,
        text -> Text,
        due -> Nullable<Date>,
        done -> Bool,
        note -> Text,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(requests -> residents (resident_id));
diesel::joinable!(requests -> services (service_id));
diesel::joinable!(request_events -> requests (request_id));
diesel::joinable!(request_messages -> requests (request_id));
diesel::joinable!(plans -> residents (resident_id));
diesel::joinable!(privacy_requests -> residents (resident_id));
diesel::joinable!(plan_items -> plans (plan_id));
diesel::joinable!(plan_items -> services (service_id));
diesel::joinable!(plan_events -> plans (plan_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(audit_log -> users (actor_id));
diesel::joinable!(program_comments -> programs (program_id));
diesel::joinable!(program_comments -> users (author_id));
diesel::joinable!(criteria -> competitions (competition_id));
diesel::joinable!(offers -> competitions (competition_id));
diesel::joinable!(offers -> organizations (organization_id));
diesel::joinable!(budget_lines -> offers (offer_id));
diesel::joinable!(commission_members -> competitions (competition_id));
diesel::joinable!(commission_members -> users (user_id));
diesel::joinable!(scores -> offers (offer_id));
diesel::joinable!(scores -> criteria (criterion_id));
diesel::joinable!(agreements -> organizations (organization_id));
diesel::joinable!(tranches -> agreements (agreement_id));
diesel::joinable!(annexes -> agreements (agreement_id));
diesel::joinable!(reports -> agreements (agreement_id));
diesel::joinable!(sent_reminders -> agreements (agreement_id));
diesel::joinable!(activities -> communities (community_id));
diesel::joinable!(posts -> threads (thread_id));
diesel::joinable!(posts -> users (author_id));
diesel::joinable!(post_revisions -> posts (post_id));
diesel::joinable!(forum_members -> users (user_id));
diesel::joinable!(forum_notifications -> threads (thread_id));
diesel::joinable!(forum_notifications -> users (user_id));

diesel::joinable!(assessment_results -> assessment_runs (run_id));
diesel::joinable!(assessment_results -> indicators (indicator));
diesel::joinable!(assessment_result_sets -> assessment_runs (run_id));
diesel::joinable!(assessment_result_sets -> indicators (indicator));
diesel::joinable!(survey_codes -> surveys (survey_id));
diesel::joinable!(survey_responses -> surveys (survey_id));
diesel::joinable!(benchmark_members -> benchmark_groups (group_id));
diesel::joinable!(benchmark_meetings -> benchmark_groups (group_id));
diesel::joinable!(benchmark_rounds -> benchmark_groups (group_id));
diesel::joinable!(benchmark_values -> benchmark_rounds (round_id));
diesel::joinable!(corrective_events -> corrective_actions (action_id));
diesel::joinable!(corrective_reminders -> corrective_actions (action_id));
diesel::joinable!(social_programs -> municipalities (municipality));
diesel::joinable!(social_program_services -> social_programs (program_id));
diesel::joinable!(social_program_events -> social_programs (program_id));
diesel::joinable!(social_program_comments -> social_programs (program_id));
diesel::joinable!(social_program_evaluations -> social_programs (program_id));
diesel::joinable!(district_workers -> districts (district_id));
diesel::joinable!(district_workers -> users (user_id));
diesel::joinable!(households -> districts (district_id));
diesel::joinable!(household_members -> households (household_id));
diesel::joinable!(household_members -> residents (resident_id));
diesel::joinable!(referrals -> requests (request_id));
diesel::joinable!(referral_events -> referrals (referral_id));
diesel::joinable!(social_contracts -> residents (resident_id));
diesel::joinable!(social_contracts -> users (worker_id));
diesel::joinable!(contract_commitments -> social_contracts (contract_id));

diesel::allow_tables_to_appear_in_same_query!(
    municipalities,
    residents,
    users,
    user_tokens,
    sessions,
    login_attempts,
    services,
    case_counters,
    requests,
    request_events,
    request_messages,
    plans,
    plan_items,
    plan_events,
    audit_log,
    outbox,
    job_runs,
    organizations,
    programs,
    program_comments,
    competitions,
    criteria,
    offers,
    budget_lines,
    commission_members,
    scores,
    agreements,
    tranches,
    annexes,
    reports,
    sent_reminders,
    communities,
    activities,
    forum_members,
    threads,
    posts,
    post_revisions,
    forum_notifications,
    indicators,
    indicator_sets,
    assessment_runs,
    assessment_results,
    assessment_result_sets,
    surveys,
    survey_codes,
    survey_responses,
    benchmark_groups,
    benchmark_members,
    benchmark_meetings,
    benchmark_rounds,
    benchmark_values,
    corrective_actions,
    corrective_events,
    corrective_reminders,
    diagnoses,
    social_programs,
    social_program_services,
    social_program_events,
    social_program_comments,
    social_program_evaluations,
    privacy_requests,
    districts,
    district_workers,
    households,
    household_members,
    referrals,
    referral_events,
    social_contracts,
    contract_commitments
);
